"""Seed 001: the digits or the reviews with a RNN cell (see recurrent.py)."""

from .recurrent import make_recipe

RECIPE = make_recipe("rnn")
