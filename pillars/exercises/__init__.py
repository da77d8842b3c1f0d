"""Graded exercises: learners write the rules and the loops, and hypothesis grades them against torch.

    pillars exercise list | start NAME [DIR] | check FILE | hint NAME

Each exercise (an Exercise of exercise.py, listed by catalog.py) has a skeleton for the learner,
hints, and a grader built with grading.py on minigrad's public testing kit (minigrad.testing):
drawn cases, torch oracles, central differences. runner.py runs a learner's file in a child process
with a time limit. Instructors grade a folder of submissions with pytest:

    pytest --pyargs pillars.exercises --solutions DIR
"""
