"""torch.backends.cudnn's flags: settable (seeding code sets them) and without effect here."""

enabled = False
deterministic = False
benchmark = False


def is_available():
    return False
