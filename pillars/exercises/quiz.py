"""Exercise 13: the seeds' quiz on the six pillars, answered as a small data structure."""

from pillars.exercises.exercise import Exercise
from pillars.exercises.grading import Failure, required

SKELETON = '''# pillars exercise: quiz
"""Exercise 13: the six pillars, a quiz (lesson: the six pillars).

The pillars of every training run, in order: 1 data, 2 model, 3 objective, 4 training,
5 evaluation, 6 saving (see the README's table). Answer each question by replacing the ... in
ANSWERS; the check says which answers are wrong, never what the right ones are.

1. "after_the_loss": the loss is chosen in pillar 3 and computed from the model's outputs.
   Which pillar follows it? A pillar number, 1 to 6.
2. "purpose_of_pillar_3": what is pillar 3 (the objective) for? One letter:
   "a" split the data and scale it
   "b" say what to minimise and how to move the parameters: the loss and the optimizer
   "c" run the forward and the backward pass
   "d" measure the model on rows it has not seen
3. "trainable": what makes a parameter trainable? One letter:
   "a" it is a tensor stored as an attribute of the model
   "b" it has requires_grad=True (an nn.Parameter has) and the optimizer was given it
   "c" its value is not zero
   "d" it is a float64 tensor
4. "last_three_steps": an iteration of the training loop has five steps: zero_grad, forward,
   loss, backward, step. The last three, in order, as a tuple of three of those names.
5. "test_poor_train_good": the training score is good, the test score poor, and the split was
   checked to be leakage-free: the model fits its training rows too closely (overfitting). Which
   pillar's choices do you review first? A pillar number, 1 to 6.

    pillars exercise check quiz.py
"""

ANSWERS = {
    "after_the_loss": ...,
    "purpose_of_pillar_3": ...,
    "trainable": ...,
    "last_three_steps": ...,
    "test_poor_train_good": ...,
}
'''

# (key, the accepted answer, a normaliser for the learner's value, the hint when it is wrong)
QUESTIONS = [
    ("after_the_loss", 4, int,
     "the loss says how wrong the outputs are; the next pillar is the one that uses it to change the weights"),
    ("purpose_of_pillar_3", "b", lambda v: str(v).strip().lower(),
     "the objective is what training minimises and the rule it steps by"),
    ("trainable", "b", lambda v: str(v).strip().lower(),
     "autograd computes .grad only for tensors that ask for it, and the optimizer moves only what it was given"),
    ("last_three_steps", ("loss", "backward", "step"), lambda v: tuple(str(s).strip() for s in v),
     "backward needs a loss to start from, and step needs the gradients that backward writes"),
    ("test_poor_train_good", 2, int,
     ("overfitting: the model's capacity and regularisation (its size, dropout) decide how closely it can "
     "fit the training rows")),
]


def grade(module, grader):
    (answers,) = required(module, "ANSWERS")
    if not isinstance(answers, dict):
        raise Failure(f"ANSWERS must be a dict, got {type(answers).__name__}")
    unanswered, wrong = [], []
    for key, accepted, normalise, hint in QUESTIONS:
        given = answers.get(key, ...)
        if given is ...:
            unanswered.append(key)
            continue
        try:
            right = normalise(given) == accepted
        except (TypeError, ValueError):
            right = False
        if not right:
            wrong.append((key, given, hint))
    if unanswered or wrong:
        lines = [f"{len(QUESTIONS) - len(unanswered) - len(wrong)} of {len(QUESTIONS)} answers are right."]
        lines += [f"  {key}: not answered (still ...)" for key in unanswered]
        lines += [f"  {key}: {given!r} is not right" for key, given, _ in wrong]
        raise Failure("\n".join(lines), wrong[0][2] if wrong else "replace each ... in ANSWERS with your answer")


EXERCISES = [Exercise(
    13, "quiz", "lesson: the six pillars",
    "the seeds' quiz on the six pillars, answered as a dict", SKELETON,
    ("The six pillars in order: data, model, objective, training, evaluation, saving.",
     "The five steps of an iteration: zero_grad, forward, loss, backward, step.",
     "Overfitting is about how flexible the model is compared with how much data it sees."),
    grade, uses_torch=False, drawn=False)]
