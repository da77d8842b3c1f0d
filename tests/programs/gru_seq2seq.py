"""A GRU encoder-decoder with teacher forcing, outputs gathered with torch.cat and unsqueeze."""

import numpy as np
import torch
import torch.nn as nn
from _weights import seeded_state


class Seq2Seq(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.encoder = nn.GRU(hidden, hidden, batch_first=True)
        self.decoder = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, source, target):
        _, h = self.encoder(self.embed(source))
        token = target[:, :1]
        logits = []
        for t in range(target.shape[1]):
            output, h = self.decoder(self.embed(token), h)
            logits.append(self.out(output))
            token = target[:, t:t + 1]  # teacher forcing
        return torch.cat(logits, dim=1)


def main():
    rng = np.random.default_rng(14)
    source = torch.tensor(rng.integers(0, 7, (3, 5)))
    target = torch.tensor(rng.integers(0, 7, (3, 4)))
    model = Seq2Seq(7, 6).double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    losses = []
    for _ in range(4):
        optimizer.zero_grad()
        logits = model(source, target)
        loss = nn.functional.cross_entropy(logits.reshape(-1, 7), target.reshape(-1))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return {"losses": losses, "embed_grad_norm": model.embed.weight.grad.norm().item()}
