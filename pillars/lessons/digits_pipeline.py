"""Lesson 2: the seven-step pipeline on handwritten digits, from a split to a reloaded model.

1 split the rows 70/15/15 into training, validation and test parts; 2 wrap them in Datasets;
3 batch them with DataLoaders; 4 build an MLP; 5 choose CrossEntropyLoss and Adam; 6 train,
validating after every epoch and keeping the best epoch's weights; 7 test once, at the end,
then save a checkpoint, load it into a fresh model and let that model predict a few rows.

    python -m pillars.lessons.digits_pipeline [--backend minigrad|torch|torch:cuda|auto] [--epochs N]
"""

import pathlib
import tempfile

from pillars import datasets
from pillars.backends import backend
from pillars.data import EpochShuffle, Loaders, prepare, tensor_dataset
from pillars.evaluation import evaluate, predict
from pillars.lessons._common import heading, parser, run_from_command_line
from pillars.models import build_model, summary
from pillars.persistence import load_weights, save_checkpoint
from pillars.training import TrainingState, fit


def main(argv=None):
    """Run the lesson; return the loss of every epoch, the best epoch and the test metrics."""
    args = parser(__doc__, epochs=8).parse_args(argv)
    B = backend(args.backend)
    torch, nn = B.torch, B.nn
    DataLoader = B.data.DataLoader

    heading("1. split: 70% to learn from, 15% to choose with, 15% to report")
    data = prepare(datasets.load("digits"), fractions=(0.7, 0.15, 0.15), seed=0)   # scaler fitted on train only
    print(f"{data.split.sizes()}, every class in the same share in each part")

    heading("2. datasets: one (image, label) pair per index")
    train_set, val_set, test_set = (tensor_dataset(B, *data.part(part)) for part in ("train", "val", "test"))
    image, label = train_set[0]
    print(f"len(train_set) = {len(train_set)}; train_set[0] = (a row of {image.shape[0]} pixels, label {label.item()})")

    heading("3. loaders: shuffled batches to train on, fixed batches to measure")
    loaders = Loaders(train=DataLoader(train_set, batch_size=32, sampler=EpochShuffle(len(train_set), seed=0)),
                      val=DataLoader(val_set, batch_size=128), test=DataLoader(test_set, batch_size=128))
    images, labels = next(iter(loaders.train))
    print(f"{len(loaders.train)} batches per epoch, each {tuple(images.shape)} images and {tuple(labels.shape)} labels")

    heading("4. model: a multilayer perceptron, 64 pixels -> 64 hidden units -> 10 classes")
    model = build_model(B, "mlp", data.input_shape, n_outputs=10, hidden=(64,), seed=0)
    print(summary(model, data.input_shape))

    heading("5. loss and optimizer: cross-entropy on the 10 logits, Adam")
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    print(f"{loss_fn}, {type(optimizer).__name__} with learning rate {optimizer.param_groups[0]['lr']}")

    heading("6. train, validating after every epoch; the best epoch's weights are kept")
    state = TrainingState()
    for record in fit(model, loaders, loss_fn, optimizer, task=data.task, epochs=args.epochs,
                      monitor="val_accuracy", restore_best=True, state=state):
        print(f"epoch {record.epoch:2d}  train loss {record.train_loss:.4f}  val loss {record.val_loss:.4f}  "
              f"val accuracy {record.val_metrics['accuracy']:.4f}" + ("  <- best so far" if record.best else ""))
    print(f"the model now holds the weights of epoch {state.best_epoch}")

    heading("7. test once, on rows that chose nothing")
    test = evaluate(model, loaders.test, loss_fn, data.task)
    print(f"test loss {test.loss:.4f}, accuracy {test.metrics['accuracy']:.4f}\n{test.report}")

    heading("and after: save a checkpoint, reload it into a fresh model, predict")
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "digits.ckpt"
        save_checkpoint(path, model=model, optimizer=optimizer, state=state)
        fresh = load_weights(build_model(B, "mlp", data.input_shape, n_outputs=10, hidden=(64,), seed=1), path)
    rows, targets = data.part("test")
    predicted, probabilities = predict(fresh, rows[:5], data.task)
    for truth, guess, chances in zip(targets[:5], predicted, probabilities):
        print(f"true {truth}  predicted {guess}  with probability {chances[guess]:.3f}")
    return {"history": [record.train_loss for record in state.history], "best_epoch": state.best_epoch,
            "test": test.metrics, "predicted": predicted.tolist(), "targets": targets[:5].tolist()}


if __name__ == "__main__":
    run_from_command_line(main, "digits_pipeline")
