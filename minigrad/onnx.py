"""torch.onnx's names, so scripts that end with an export import and train unchanged.

minigrad records a graph for backward only, not a program that could be written out as
ONNX, so export says so; export the same model with torch (the state dicts load there).
"""


def export(model, args=None, f=None, *rest, **options):
    raise NotImplementedError("minigrad cannot export models to ONNX: load the state dict into the same "
                              "model built with torch and call torch.onnx.export there")


def is_in_onnx_export():
    """False: minigrad never traces a model for export."""
    return False
