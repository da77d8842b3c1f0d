"""Lesson 5: a sequence model, reading each digit one row of pixels at a time.

An MLP sees all 64 pixels at once. An LSTM reads a sequence: here the 8 rows of a digit, top
to bottom, each a step of 8 pixels. After every step it updates a hidden state, its memory of
the rows so far, and after the last row a Linear layer reads that memory to name the digit.
The same recipe serves any sequence: words of a sentence, readings of a sensor, days of prices.

    python -m pillars.lessons.sequence_lstm [--backend minigrad|torch|torch:cuda|auto] [--epochs N]
"""

from pillars import datasets
from pillars.backends import backend
from pillars.data import make_loaders, prepare
from pillars.evaluation import evaluate
from pillars.lessons._common import heading, parser, run_from_command_line
from pillars.models import build_model, summary
from pillars.training import fit


def main(argv=None):
    """Run the lesson; return the loss of every epoch and the test metrics."""
    args = parser(__doc__, epochs=8).parse_args(argv)
    B = backend(args.backend)
    torch, nn = B.torch, B.nn

    heading("data: each digit as a sequence of 8 steps of 8 pixels")
    data = prepare(datasets.load("digits"), fractions=(0.7, 0.15, 0.15), seed=0, layout="sequence")
    loaders = make_loaders(data, B, batch_size=32, seed=0)
    steps, width = data.input_shape
    print(f"{data.split.sizes()}; one row is {steps} steps x {width} pixels (batch_first: batch, steps, features)")

    heading("model: an LSTM over the steps, a Linear layer on the last one")
    model = build_model(B, "lstm", data.input_shape, n_outputs=10, hidden=(32,), seed=0)
    print(model)
    print(summary(model, data.input_shape))

    heading("what the LSTM returns for one batch")
    images, _ = next(iter(loaders.train))
    with torch.no_grad():
        outputs, (h, c) = model.lstm(images.to(B.device))
    print(f"input {tuple(images.shape)} -> outputs {tuple(outputs.shape)}: a hidden state after every step;\n"
          f"h and c {tuple(h.shape)}: the hidden and cell state after the last step (layers, batch, units)")

    heading("train: cross-entropy and Adam")
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    history = []
    for record in fit(model, loaders, loss_fn, optimizer, task=data.task, epochs=args.epochs):
        history.append(record.train_loss)
        print(f"epoch {record.epoch:2d}  train loss {record.train_loss:.4f}  val loss {record.val_loss:.4f}  "
              f"val accuracy {record.val_metrics['accuracy']:.4f}")

    heading("evaluate on the test rows")
    test = evaluate(model, loaders.test, loss_fn, data.task)
    print(f"test accuracy {test.metrics['accuracy']:.4f}, read one row of pixels at a time")
    return {"history": history, "test": test.metrics}


if __name__ == "__main__":
    run_from_command_line(main, "sequence_lstm")
