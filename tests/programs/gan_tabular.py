"""A tiny GAN on 2-D points: generator and discriminator trained in turn with BCELoss and Adam."""

import numpy as np
import torch
import torch.nn as nn
from _weights import seeded_state


def main():
    rng = np.random.default_rng(17)
    real = torch.tensor(rng.standard_normal((16, 2)) * 0.5 + np.array([2.0, -1.0]))
    noise = [torch.tensor(rng.standard_normal((16, 3))) for _ in range(5)]
    generator = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 2)).double()
    discriminator = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1), nn.Sigmoid()).double()
    generator.load_state_dict(seeded_state(generator, torch, seed=1))
    discriminator.load_state_dict(seeded_state(discriminator, torch, seed=2))
    criterion = nn.BCELoss()
    opt_g = torch.optim.Adam(generator.parameters(), lr=0.01, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=0.01, betas=(0.5, 0.999))
    ones, zeros = torch.ones(16, 1, dtype=torch.float64), torch.zeros(16, 1, dtype=torch.float64)
    history = []
    for z in noise:
        fake = generator(z)
        opt_d.zero_grad()
        d_loss = criterion(discriminator(real), ones) + criterion(discriminator(fake.detach()), zeros)
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = criterion(discriminator(fake), ones)
        g_loss.backward()
        opt_g.step()
        history.append([d_loss.item(), g_loss.item()])
    with torch.no_grad():
        samples = generator(noise[0])
    return {"history": history, "samples": samples.tolist(),
            "d_grads_after_g_step": [p.grad.tolist() for p in discriminator.parameters()]}
