"""python -m minigrad: a two-minute tour of the library.

1. A small computation, its recorded graph, and the gradients backward finds.
2. The primitive behind one node: a pure forward rule and a pure VJP rule.
3. A torch-style training loop (nn.Linear, MSELoss, SGD) fitting a noisy line.
"""

import inspect

import numpy as np

import minigrad as torch  # the point: this is ordinary torch code
from minigrad._ops import REGISTRY, elementwise


def print_graph(node, depth=0, seen=None):
    """Walk grad_fn.next_functions the way one would in torch."""
    seen = set() if seen is None else seen
    name = node.name().split("::")[-1]
    print("    " + "  " * depth + name)
    if id(node) in seen:
        return
    seen.add(id(node))
    for child, _ in node.next_functions:
        if child is not None:
            print_graph(child, depth + 1, seen)


def tour_of_the_graph():
    print("1. y = sum(tanh(w * x + b)), with w and b requiring grad\n")
    x = torch.tensor([0.5, -1.0, 2.0])
    w = torch.tensor([1.5, 0.3, -0.7], requires_grad=True)
    b = torch.tensor(0.1, requires_grad=True)
    y = (w * x + b).tanh().sum()
    print(f"    y = {y!r}")
    print("    its graph, from y back to the leaves:")
    print_graph(y.grad_fn)
    y.backward()
    print(f"\n    dy/dw = {w.grad!r}")
    print(f"    dy/db = {b.grad!r}")
    by_hand = (1 - np.tanh(w.detach().numpy() * x.numpy() + 0.1) ** 2) * x.numpy()
    print(f"    by hand, (1 - tanh(wx + b)^2) * x = {np.round(by_hand, 4)}\n")


def tour_of_a_rule():
    print(f"2. Each node runs a primitive's rules; minigrad has {len(REGISTRY)} primitives.")
    print("   The tanh rule, from minigrad/_ops/elementwise.py (d tanh(x) = 1 - tanh(x)^2):\n")
    source = inspect.getsource(elementwise)
    line = next(line for line in source.splitlines() if line.startswith("tanh = "))
    print(f"    {line}\n")


def tour_of_training():
    print("3. Fitting y = 2x - 1 with nn.Linear, MSELoss and SGD\n")
    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 64).unsqueeze(1)
    y = 2 * x - 1 + 0.05 * torch.randn(64, 1)
    model = torch.nn.Linear(1, 1)
    loss_fn = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for epoch in range(41):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        if epoch % 10 == 0:
            print(f"    epoch {epoch:2d}  loss {loss.item():.5f}")
    print(f"\n    learned weight {model.weight.item():.3f}, bias {model.bias.item():.3f} (true: 2, -1)")


if __name__ == "__main__":
    tour_of_the_graph()
    tour_of_a_rule()
    tour_of_training()
