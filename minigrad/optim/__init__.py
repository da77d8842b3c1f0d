"""minigrad.optim ~ torch.optim: optimizers and learning-rate schedulers.

    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    optimizer.zero_grad(); loss.backward(); optimizer.step()

The update rules themselves are pure functions on NumPy arrays in
minigrad.optim.functional; the classes here keep torch's parameter groups, state and
state_dict around them.
"""

from minigrad.optim import functional, lr_scheduler, swa_utils
from minigrad.optim.adadelta import Adadelta
from minigrad.optim.adafactor import Adafactor
from minigrad.optim.adagrad import Adagrad
from minigrad.optim.adam import Adam
from minigrad.optim.adamax import Adamax
from minigrad.optim.adamw import AdamW
from minigrad.optim.asgd import ASGD
from minigrad.optim.lbfgs import LBFGS
from minigrad.optim.muon import Muon
from minigrad.optim.nadam import NAdam
from minigrad.optim.optimizer import Optimizer
from minigrad.optim.radam import RAdam
from minigrad.optim.rmsprop import RMSprop
from minigrad.optim.rprop import Rprop
from minigrad.optim.sgd import SGD

__all__ = ["Adadelta", "Adafactor", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS", "Muon", "NAdam", "Optimizer", "RAdam",
           "RMSprop", "Rprop", "SGD", "functional", "lr_scheduler", "swa_utils"]
