"""A tiny VAE: the reparameterisation trick with noise drawn once in NumPy, a KL term, BCE with logits."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from _weights import seeded_state


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(6, 8)
        self.mu = nn.Linear(8, 2)
        self.log_var = nn.Linear(8, 2)
        self.decoder = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 6))

    def forward(self, x, noise):
        h = F.relu(self.encoder(x))
        mu, log_var = self.mu(h), self.log_var(h)
        z = mu + torch.exp(0.5 * log_var) * noise
        return self.decoder(z), mu, log_var


def main():
    rng = np.random.default_rng(13)
    x = torch.tensor((rng.random((10, 6)) > 0.5).astype(np.float64))
    noises = [torch.tensor(rng.standard_normal((10, 2))) for _ in range(6)]
    model = VAE().double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    history = []
    for noise in noises:
        optimizer.zero_grad()
        logits, mu, log_var = model(x, noise)
        reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp())
        loss = (reconstruction + kl) / x.shape[0]
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), 1.0)
        optimizer.step()
        history.append([reconstruction.item(), kl.item()])
    return {"history": history, "mu_weight": model.mu.weight.tolist()}
