# pillars exercise: train_epoch
"""Reference solution of exercise 9."""


def train_epoch(model, batches, loss_fn, optimizer):
    model.train()
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
