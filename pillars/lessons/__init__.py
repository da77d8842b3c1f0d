"""Lessons: short torch-style programs that walk through the pillars, in this order.

1. linear_regression  the six pillars on a straight line: the learned weight and bias next to the true ones
2. digits_pipeline    the seven-step pipeline on digits: split, datasets, loaders, MLP, loss and optimizer,
                      training with validation and the best weights kept, a test report, a reloaded model
3. tabular_csv        a CSV file read by a Dataset class of our own, a two-class task with BCEWithLogitsLoss
4. ml_vs_dl           scikit-learn's logistic regression against a small CNN on the same split
5. sequence_lstm      an LSTM reading each digit one row of pixels at a time

Run one with ``python -m pillars.lessons.<name> [--backend minigrad|torch|torch:cuda|auto] [--epochs N]``;
the backend defaults to $PILLARS_BACKEND, else minigrad, and the code is the same on every backend.
"""
