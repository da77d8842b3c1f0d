"""An Embedding + LSTM sequence classifier trained with RMSprop and gradient clipping."""

import numpy as np
import torch
import torch.nn as nn
from _weights import seeded_state


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 5, padding_idx=0)
        self.lstm = nn.LSTM(5, 7, num_layers=2, batch_first=True)
        self.out = nn.Linear(7, 2)

    def forward(self, tokens):
        output, (h, c) = self.lstm(self.embed(tokens))
        return self.out(output[:, -1] + h[-1])


def main():
    rng = np.random.default_rng(4)
    tokens = torch.tensor(rng.integers(0, 20, (6, 9)))
    labels = torch.tensor(rng.integers(0, 2, 6))
    model = Classifier().double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = torch.optim.RMSprop(model.parameters(), lr=0.01, momentum=0.5)
    losses, norms = [], []
    for _ in range(6):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(tokens), labels)
        loss.backward()
        norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)))
        optimizer.step()
        losses.append(loss.item())
    return {"losses": losses, "norms": norms, "keys": list(model.state_dict()),
            "embed_pad_row": model.embed.weight[0].tolist()}
