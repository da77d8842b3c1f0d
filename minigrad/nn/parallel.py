"""minigrad.nn.parallel ~ torch.nn.parallel: DataParallel, for scripts written for several GPUs.

torch's DataParallel splits each batch over its GPUs and gathers the outputs; on a machine
without one it keeps the module and calls it as it is, with no device ids. minigrad runs on
the CPU, so its DataParallel is always that case: the wrapper changes nothing but the
module's place in the tree (its state_dict keys start with "module.", as torch's do, so
checkpoints move between the two).
"""

from minigrad.nn.modules.module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """`module` wrapped as torch wraps it on a machine with no GPU: forward calls it directly.

    device_ids, output_device and dim are accepted as in torch and, as there, unused without a GPU.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
