"""The canonical PyTorch MNIST example (its model, train and test functions) on random 28x28 digits.

Dropout masks come from each backend's own random stream, so the trajectory is compared with the
dropout rates set to zero, and the real rates (0.25, 0.5) are checked by their statistics.
"""

import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset
from _weights import fan_in_state


class Net(nn.Module):
    def __init__(self, dropout=(0.25, 0.5)):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(dropout[0])
        self.dropout2 = nn.Dropout(dropout[1])
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(log_interval, model, device, train_loader, optimizer, epoch, log):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            log.append('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader, log):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    log.append('Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)'.format(
        test_loss, correct, len(test_loader.dataset), 100. * correct / len(test_loader.dataset)))
    return test_loss, correct


def dropout_statistics(device, images):
    """The real model in train mode: dropout zeroes about p of the activations and rescales the rest."""
    model = Net().double().to(device)
    model.load_state_dict(fan_in_state(model, torch, seed=1))
    model.train()
    with torch.no_grad():
        features = F.max_pool2d(F.relu(model.conv2(F.relu(model.conv1(images)))), 2)
        dropped = model.dropout1(features)
        kept = dropped != 0
        nonzero = features != 0
        zero_fraction = ((~kept) & nonzero).sum().item() / nonzero.sum().item()
        rescaled = torch.allclose(dropped[kept], features[kept] / 0.75)
        model.eval()
        same_in_eval = torch.equal(model.dropout1(features), features)
        first, second = model(images), model(images)
    return {"zero_fraction_near_p": abs(zero_fraction - 0.25) < 0.04, "rescaled": rescaled,
            "identity_in_eval": same_in_eval, "eval_deterministic": torch.equal(first, second)}


def main():
    use_cuda = False and torch.cuda.is_available()
    torch.manual_seed(1)
    device = torch.device("cuda" if use_cuda else "cpu")
    rng = np.random.default_rng(6)
    images = torch.tensor(rng.random((12, 1, 28, 28)))
    labels = torch.tensor(rng.integers(0, 10, 12))
    train_loader = DataLoader(TensorDataset(images[:8], labels[:8]), batch_size=4)
    test_loader = DataLoader(TensorDataset(images[8:], labels[8:]), batch_size=4)

    model = Net(dropout=(0.0, 0.0)).double().to(device)
    model.load_state_dict(fan_in_state(model, torch))
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    log, lrs = [], []
    for epoch in range(1, 3):
        train(1, model, device, train_loader, optimizer, epoch, log)
        test_loss, correct = test(model, device, test_loader, log)
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "mnist_cnn.pt")
        torch.save(model.state_dict(), path)
        restored = Net().double()
        restored.load_state_dict(torch.load(path))
    restored.eval()
    with torch.no_grad():
        restored_output = restored(images[8:].to(device))
    return {"log": log, "test_loss": test_loss, "correct": correct, "lrs": lrs,
            "restored_output": restored_output.tolist(), "keys": list(restored.state_dict()),
            "fc2_bias": model.fc2.bias.tolist(), "repr": repr(Net()),
            "dropout": dropout_statistics(device, images[:2])}
