"""Lesson 4: machine learning against deep learning, on the same digits and the same split.

Machine learning: scikit-learn's logistic regression, one weight per pixel and class, fitted in
one call on the pixels as a flat row. Deep learning: a small convolutional network that learns
its own features from the 8x8 pictures, 3x3 patch by 3x3 patch, epoch after epoch. Both are
scored on the same test rows; the gap between them says what the network's learned features
are worth here (on pictures this small a linear model is already strong).

    python -m pillars.lessons.ml_vs_dl [--backend minigrad|torch|torch:cuda|auto] [--epochs N]
"""

from pillars import datasets
from pillars.backends import backend
from pillars.baseline import baseline
from pillars.data import make_loaders, prepare
from pillars.evaluation import evaluate
from pillars.lessons._common import heading, parser, run_from_command_line
from pillars.models import build_model, summary
from pillars.training import fit


def main(argv=None):
    """Run the lesson; return both test accuracies and the network's loss of every epoch."""
    args = parser(__doc__, epochs=10).parse_args(argv)
    B = backend(args.backend)
    torch, nn = B.torch, B.nn

    heading("data: digits as 1x8x8 pictures, split 70/15/15")
    data = prepare(datasets.load("digits"), fractions=(0.7, 0.15, 0.15), seed=0, layout="image")
    loaders = make_loaders(data, B, batch_size=32, seed=0)
    print(f"{data.split.sizes()}, each row a picture of shape {data.input_shape}")

    heading("machine learning: logistic regression on the 64 pixels")
    classic = baseline(data, part="test")          # fitted on the training rows, flattened
    print(f"{classic.name}: test accuracy {classic.evaluation.metrics['accuracy']:.4f}")

    heading("deep learning: a small CNN learns its own features")
    model = build_model(B, "cnn", data.input_shape, n_outputs=10, hidden=(16, 32), seed=0)
    print(summary(model, data.input_shape))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    history = []
    for record in fit(model, loaders, loss_fn, optimizer, task=data.task, epochs=args.epochs):
        history.append(record.train_loss)
        print(f"epoch {record.epoch:2d}  train loss {record.train_loss:.4f}  "
              f"val accuracy {record.val_metrics['accuracy']:.4f}")
    network = evaluate(model, loaders.test, loss_fn, data.task)
    print(f"CNN: test accuracy {network.metrics['accuracy']:.4f}")

    heading("the gap, on the same test rows")
    ml, dl = classic.evaluation.metrics["accuracy"], network.metrics["accuracy"]
    print(f"logistic regression {ml:.4f}\nCNN                 {dl:.4f}\n"
          f"gap (CNN - logistic regression) {100 * (dl - ml):+.1f} percentage points")
    return {"ml_accuracy": ml, "dl_accuracy": dl, "history": history}


if __name__ == "__main__":
    run_from_command_line(main, "ml_vs_dl")
