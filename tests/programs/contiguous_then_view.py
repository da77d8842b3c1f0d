""".contiguous() after a transpose must give a tensor that .view() accepts."""

import torch


def main():
    t = torch.arange(24).reshape(2, 3, 4)
    flat = t.transpose(0, 2).contiguous().view(-1)
    images = torch.arange(12.0).reshape(3, 4).t().contiguous().view(2, 6)
    return {"flat": flat.tolist(), "images": images.tolist(), "is_contiguous": t.t().contiguous().is_contiguous()
            if t.dim() == 2 else t.transpose(0, 2).contiguous().is_contiguous()}
