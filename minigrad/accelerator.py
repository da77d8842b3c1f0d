"""torch.accelerator: minigrad has none, so code that picks a device falls back to the CPU."""


def is_available():
    return False


def current_accelerator(check_available=False):
    return None


def device_count():
    return 0
