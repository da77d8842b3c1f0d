"""A character-level RNN trained with truncated backpropagation through time (hidden state detached)."""

import torch
import torch.nn as nn
from _weights import seeded_state

TEXT = "hello world, hello minigrad. "


class CharRNN(nn.Module):
    def __init__(self, vocab, hidden=8):
        super().__init__()
        self.embed = nn.Embedding(vocab, 6)
        self.rnn = nn.LSTM(6, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        output, state = self.rnn(self.embed(x), state)
        return self.head(output), state


def main():
    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in TEXT * 2], dtype=torch.long)
    model = CharRNN(len(chars)).double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    state, losses, seq = None, [], 7
    for start in range(0, len(data) - seq - 1, seq):
        x = data[start:start + seq].unsqueeze(0)
        y = data[start + 1:start + seq + 1].unsqueeze(0)
        if state is not None:
            state = tuple(s.detach() for s in state)
        logits, state = model(x, state)
        loss = loss_fn(logits.view(-1, len(chars)), y.view(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        losses.append(loss.item())
    # greedy sampling, one character at a time
    model.eval()
    with torch.no_grad():
        token, state, text = torch.tensor([[stoi["h"]]]), None, "h"
        for _ in range(12):
            logits, state = model(token, state)
            token = logits[:, -1].argmax(dim=-1, keepdim=True)
            text += chars[token.item()]
    return {"losses": losses, "sample": text, "vocab": len(chars), "state_shapes": [list(s.shape) for s in state]}
