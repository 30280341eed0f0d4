"""Analyses built on the instance, the model and the evaluator.

winset: win-set sizes; frontier: the Pareto frontier and bargaining solutions;
schelling: tying hands; params and sweep: named parameters, sweeps, breakpoints, tornado.
"""
