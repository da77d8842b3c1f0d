"""StudentT under the module name torch gives it (torch.distributions.studentT); the class lives in
student_t.py."""

from minigrad.distributions.student_t import StudentT

__all__ = ["StudentT"]
