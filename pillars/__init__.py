"""pillars: the standard training workflow, pillar by pillar, on minigrad or torch.

    import pillars
    mg = pillars.backend("minigrad")                 # or "torch", "torch:cuda", "auto"
    data = pillars.prepare(pillars.datasets.load("digits"), fractions=(0.7, 0.15, 0.15), seed=0)
    loaders = pillars.make_loaders(data, mg, batch_size=32, seed=0)
    model = pillars.build_model(mg, "mlp", data.input_shape, data.task.n_outputs)
    loss_fn = pillars.loss_function(model, "cross_entropy")
    optimizer = pillars.make_optimizer(model, "adam", lr=1e-3)
    for record in pillars.fit(model, loaders, loss_fn, optimizer, task=data.task, epochs=10):
        print(record.epoch, record.val_loss)
    print(pillars.evaluate(model, loaders.test, loss_fn, data.task).report)
    pillars.save_weights(model, "model.weights")

The pillars, in the order a training run meets them (one module each):

1. data (``pillars.data``, ``pillars.datasets``): a leakage-free split, preprocessing fitted on the
   training rows, datasets and loaders whose order comes from one NumPy seed.
2. model and device (``pillars.models``): builders, starting weights drawn once with NumPy, a summary.
3. loss and optimizer (``pillars.objective``): chosen by name, with a learning-rate schedule.
4. training (``pillars.training``): ``train_step`` in the canonical order, ``fit`` yielding records.
5. evaluation (``pillars.evaluation``): eval mode and no_grad, metrics exact whatever the batches.
6. saving, loading, inference (``pillars.persistence``): pickle-free checkpoints that resume exactly.

Around them: ``pillars.backends`` (backends as values), ``pillars.recipe`` (one run's settings),
``pillars.compare`` (two backends step by step), ``pillars.baseline`` (scikit-learn for scale),
``pillars.lessons`` (runnable lessons), ``pillars.swap`` (torch scripts on minigrad) and the
``pillars`` command (``pillars.cli``).

scikit-learn and matplotlib are imported inside the functions that use them, not at the top of
the modules: they take over a second to import, and ``import pillars`` or a mistake on the command
line should not wait for them.
"""

from pillars import datasets
from pillars.backends import Backend, backend, backend_of
from pillars.data import Split, make_loaders, prepare, split_indices
from pillars.models import build_model, get_weights, set_weights, summary
from pillars.objective import loss_function, make_optimizer, make_scheduler
from pillars.training import EpochRecord, StepRecord, TrainingState, fit, train_step
from pillars.evaluation import evaluate, evaluating, predict
from pillars.persistence import (export_torch, load_checkpoint, load_weights, restore, save_checkpoint,
                                 save_weights)

__all__ = [
    "Backend", "backend", "backend_of",
    "datasets", "Split", "split_indices", "prepare", "make_loaders",
    "build_model", "summary", "get_weights", "set_weights",
    "loss_function", "make_optimizer", "make_scheduler",
    "train_step", "fit", "StepRecord", "EpochRecord", "TrainingState",
    "evaluate", "evaluating", "predict",
    "save_weights", "load_weights", "save_checkpoint", "load_checkpoint", "restore", "export_torch",
]
