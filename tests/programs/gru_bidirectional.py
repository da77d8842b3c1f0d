"""An Embedding + bidirectional GRU classifier (batch_first), trained with Adam; also a plain RNN."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from _weights import seeded_state


class SentimentGRU(nn.Module):
    def __init__(self, vocab_size=15, embed_dim=6, hidden_dim=5, num_classes=3):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.gru = nn.GRU(embed_dim, hidden_dim, num_layers=2, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(0.3)
        self.fc = nn.Linear(2 * hidden_dim, num_classes)

    def forward(self, text):
        embedded = self.embedding(text)                       # (batch, seq, embed)
        output, hidden = self.gru(embedded)                   # hidden: (layers * 2, batch, hidden)
        hidden = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
        return self.fc(self.dropout(hidden)), output


def main():
    rng = np.random.default_rng(7)
    text = torch.tensor(rng.integers(0, 15, (4, 7)))
    labels = torch.tensor(rng.integers(0, 3, 4))
    model = SentimentGRU().double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    model.eval()  # dropout off: its masks come from each backend's own random stream
    for _ in range(4):
        optimizer.zero_grad()
        logits, _ = model(text)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        logits, output = model(text)
        probabilities = F.softmax(logits, dim=-1)

    rnn = nn.RNN(3, 4, batch_first=False, nonlinearity="tanh").double()
    rnn.load_state_dict(seeded_state(rnn, torch, seed=2))
    sequence = torch.tensor(rng.standard_normal((5, 2, 3)), requires_grad=True)
    h0 = torch.tensor(rng.standard_normal((1, 2, 4)))
    rnn_out, rnn_h = rnn(sequence, h0)
    rnn_out.pow(2).sum().backward()
    return {"losses": losses, "probabilities": probabilities.tolist(), "output_shape": list(output.shape),
            "keys": list(model.state_dict()), "shapes": [list(p.shape) for p in model.parameters()],
            "repr": repr(model), "rnn_h": rnn_h.tolist(), "sequence_grad": sequence.grad.tolist(),
            "rnn_weight_grad": rnn.weight_hh_l0.grad.tolist()}
