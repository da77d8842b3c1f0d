"""Lesson 1: the six pillars of training on the simplest model there is, a straight line.

The rows are y = w x + b + noise for a w and b we know, so once the model is trained we can
read its weight and bias and check that it found them. The steps are the six pillars: data,
model, loss and optimizer, the training loop, evaluation, and saving and reloading.

    python -m pillars.lessons.linear_regression [--backend minigrad|torch|torch:cuda|auto] [--epochs N]
"""

import pathlib
import tempfile

import numpy as np

from pillars import datasets
from pillars.backends import backend
from pillars.data import make_loaders, prepare
from pillars.evaluation import evaluate, predict
from pillars.lessons._common import heading, parser, run_from_command_line
from pillars.models import init_weights
from pillars.persistence import load_weights, save_weights
from pillars.training import train_step


def main(argv=None):
    """Run the lesson; return the true and learned line, the loss of every epoch and the test metrics."""
    args = parser(__doc__, epochs=20).parse_args(argv)
    B = backend(args.backend)
    torch, nn = B.torch, B.nn

    heading("1. data: split the rows before looking at them")
    table = datasets.linear(n_rows=256, seed=0)
    data = prepare(table, fractions=(0.7, 0.15, 0.15), seed=0, scale=False)   # x left as it is
    loaders = make_loaders(data, B, batch_size=32, seed=0)
    print(f"{len(table)} rows of y = w x + b + noise, split {data.split.sizes()}")

    heading("2. model: one weight and one bias")
    model = nn.Linear(1, 1).to(B.device)
    init_weights(model, seed=0)            # the same starting numbers on every backend
    print(model, f"on {B.label}")

    heading("3. loss and optimizer: mean squared error, plain gradient descent")
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    print(f"{loss_fn}, {type(optimizer).__name__} with learning rate {optimizer.param_groups[0]['lr']}")

    heading("4. the loop: zero_grad, forward, loss, backward, step, batch by batch")
    history = []
    for epoch in range(args.epochs):
        loaders.train.sampler.set_epoch(epoch)       # a new order of the rows every epoch
        model.train()
        steps = [train_step(model, batch, loss_fn, optimizer) for batch in loaders.train]
        history.append(sum(s.loss * s.batch_size for s in steps) / sum(s.batch_size for s in steps))
        if epoch % max(1, args.epochs // 5) == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch + 1:3d}  training loss {history[-1]:.4f}  last gradient norm {steps[-1].grad_norm:.4f}")

    heading("5. evaluation: rows the model never trained on")
    test = evaluate(model, loaders.test, loss_fn, data.task)
    print(f"test MSE {test.metrics['mse']:.4f}   R^2 {test.metrics['r2']:.4f}")
    # prepare() standardises the targets (y - mean) / std, so the model's line is in those units;
    # multiplying back by std and adding the mean gives the line in the units of y.
    std, mean = data.task.target_std, data.task.target_mean
    weight = B.numpy(model.weight).item() * std
    bias = B.numpy(model.bias).item() * std + mean
    print(f"           true    learned\nweight  {table.truth['weight'][0]:7.3f}  {weight:9.3f}\n"
          f"bias    {table.truth['bias']:7.3f}  {bias:9.3f}")

    heading("6. save the weights, load them into a fresh model, predict again")
    x_test, _ = data.part("test")
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "line.weights"
        save_weights(model, path)
        fresh = load_weights(nn.Linear(1, 1).to(B.device), path)
    before, _ = predict(model, x_test, data.task)
    after, _ = predict(fresh, x_test, data.task)
    print(f"saved to {path.name} and reloaded: largest difference in predictions {np.abs(before - after).max():.2g}")
    return {"weight": weight, "bias": bias, "truth": table.truth, "history": history, "test": test.metrics,
            "reloaded_same": bool(np.array_equal(before, after))}


if __name__ == "__main__":
    run_from_command_line(main, "linear_regression")
