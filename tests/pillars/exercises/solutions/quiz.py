# pillars exercise: quiz
"""Reference answers of exercise 13."""

ANSWERS = {
    "after_the_loss": 4,
    "purpose_of_pillar_3": "b",
    "trainable": "b",
    "last_three_steps": ("loss", "backward", "step"),
    "test_poor_train_good": 2,
}
