"""Lesson 3: a yes/no question about the rows of a CSV file, read through a Dataset class of our own.

It writes scikit-learn's breast cancer table (569 tumours, 30 measurements, malignant or benign)
to a CSV file and reads it back as a torch project would: a ``CSVDataset`` with ``__len__`` and
``__getitem__``, scaled by a scaler fitted on the training rows only, so nothing about the
validation and test rows leaks into training. One logit per row and BCEWithLogitsLoss.

    python -m pillars.lessons.tabular_csv [--backend minigrad|torch|torch:cuda|auto] [--epochs N]
                                          [--csv PATH --target COLUMN]   # your own two-class table
"""

import csv
import pathlib
import tempfile

import numpy as np
from sklearn.datasets import load_breast_cancer

from pillars.backends import backend
from pillars.data import EpochShuffle, Loaders, Preprocessor, Task, split_indices
from pillars.datasets import read_csv
from pillars.evaluation import evaluate
from pillars.lessons._common import heading, parser, run_from_command_line
from pillars.models import build_model
from pillars.training import fit


def write_breast_cancer_csv(path):
    """Write the breast cancer table as CSV: a header of column names, then one tumour per line."""
    bunch = load_breast_cancer()
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*bunch.feature_names, "diagnosis"])
        writer.writerows([*row, bunch.target_names[label]] for row, label in zip(bunch.data, bunch.target))


def dataset_class(B):
    """The lesson's Dataset class, subclassing the chosen backend's ``utils.data.Dataset``."""

    class CSVDataset(B.data.Dataset):
        """Some rows of a CSV table: features through a fitted preprocessor, labels as 0.0 or 1.0."""

        def __init__(self, table, rows, preprocessor):
            self.features = B.torch.tensor(preprocessor.transform(table.features[rows]).astype(np.float32))
            self.labels = B.torch.tensor(table.target[rows].astype(np.float32).reshape(-1, 1))

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, index):
            return self.features[index], self.labels[index]

    return CSVDataset


def main(argv=None):
    """Run the lesson; return the loss of every epoch and the test metrics."""
    cli = parser(__doc__, epochs=10)
    cli.add_argument("--csv", metavar="PATH", help="a CSV file with a header line (default: breast cancer data)")
    cli.add_argument("--target", metavar="COLUMN", default="diagnosis", help="its column of two classes")
    args = cli.parse_args(argv)
    B = backend(args.backend)
    torch, nn, data = B.torch, B.nn, B.data

    heading("1. data: a CSV file, a split, a scaler fitted on the training rows, Datasets")
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(args.csv or pathlib.Path(folder) / "breast_cancer.csv")
        if args.csv is None:
            write_breast_cancer_csv(path)
        table = read_csv(path, args.target, task="binary")   # refuses other than two classes
    split = split_indices(len(table), (0.7, 0.15, 0.15), seed=0, stratify=table.target)
    preprocessor = Preprocessor(table.categorical).fit(table.features[split.train])
    CSVDataset = dataset_class(B)
    train_set, val_set, test_set = (CSVDataset(table, rows, preprocessor) for rows in (split.train, split.val, split.test))
    loaders = Loaders(data.DataLoader(train_set, batch_size=32, sampler=EpochShuffle(len(train_set), seed=0)),
                      data.DataLoader(val_set, batch_size=128), data.DataLoader(test_set, batch_size=128))
    print(f"{path.name}: {len(table)} rows, {len(table.feature_names)} features, split {split.sizes()}; "
          f"label 1 means {table.class_names[1]!r}, 0 means {table.class_names[0]!r}")

    heading("2-3. model, loss and optimizer: an MLP with one logit, BCEWithLogitsLoss, Adam")
    model = build_model(B, "mlp", train_set[0][0].shape, n_outputs=1, hidden=(16,), seed=0)
    loss_fn = nn.BCEWithLogitsLoss()            # sigmoid and binary cross-entropy in one stable step
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    print(model)

    heading("4. train")
    task = Task("binary", table.class_names)    # how logits become classes: logit > 0 means class 1
    history = []
    for record in fit(model, loaders, loss_fn, optimizer, task=task, epochs=args.epochs):
        history.append(record.train_loss)
        print(f"epoch {record.epoch:2d}  train loss {record.train_loss:.4f}  val loss {record.val_loss:.4f}")

    heading("5. evaluate on the test rows")
    test = evaluate(model, loaders.test, loss_fn, task)
    positive = table.class_names[1]
    print(f"accuracy  {test.metrics['accuracy']:.4f}  of all rows, the share called right\n"
          f"precision {test.metrics['precision']:.4f}  of the rows called {positive}, the share that are\n"
          f"recall    {test.metrics['recall']:.4f}  of the {positive} rows, the share found")
    return {"history": history, "test": test.metrics, "class_names": table.class_names}


if __name__ == "__main__":
    run_from_command_line(main, "tabular_csv")
