"""Analyses built on the instance, the model and the evaluator: win-sets, ..."""
