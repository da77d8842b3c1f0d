"""A convolutional autoencoder (conv + pooling encoder, linear decoder) trained with MSE and SGD momentum."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from _weights import fan_in_state


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding="same"), nn.ELU(), nn.AvgPool2d(2), nn.Flatten(),
        )
        self.bottleneck = nn.Linear(8 * 2 * 2, 6)
        self.decoder = nn.Sequential(nn.Linear(6, 32), nn.SiLU(), nn.Linear(32, 64), nn.Unflatten(1, (1, 8, 8)))

    def forward(self, x):
        z = self.bottleneck(self.encoder(x))
        return torch.sigmoid(self.decoder(z)), z


def main():
    rng = np.random.default_rng(18)
    images = torch.tensor(rng.random((6, 1, 8, 8)))
    model = AutoEncoder().double()
    model.load_state_dict(fan_in_state(model, torch))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=6)
    losses = []
    for _ in range(6):
        optimizer.zero_grad()
        reconstruction, codes = model(images)
        loss = F.mse_loss(reconstruction, images) + 1e-3 * codes.pow(2).mean()
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        reconstruction, codes = model(images[:2])
        per_image = ((reconstruction - images[:2]) ** 2).flatten(1).mean(dim=1)
    return {"losses": losses, "codes": codes.tolist(), "per_image": per_image.tolist(), "repr": repr(model),
            "grad_norms": [p.grad.norm().item() for p in model.parameters()]}
