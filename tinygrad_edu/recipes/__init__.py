"""The recipes: one small module per seed workflow, a shared loop, and this registry.

``get(name)`` imports a recipe module on demand and returns its ``RECIPE``.
"""

from __future__ import annotations

import importlib

from .base import Data, Recipe, RecipeError, TrainingDiverged  # noqa: F401

# name -> module, in the order `tinygrad-edu list` shows them
MODULES = {
    "perceptron": "perceptron",
    "xor": "xor",
    "circles": "circles",
    "moons": "moons",
    "blobs": "blobs",
    "spirals": "spirals",
    "line": "line",
    "diabetes": "diabetes",
    "breast-cancer": "breast_cancer",
    "digits": "digits",
    "mnist": "mnist",
    "cnn": "cnn",
    "rnn": "rnn",
    "lstm": "lstm",
    "gru": "gru",
    "scratch-mlp": "scratch_mlp",
    "reviews": "reviews",
}


def names() -> list[str]:
    return list(MODULES)


def get(name: str) -> Recipe:
    if name not in MODULES:
        raise KeyError(name)
    return importlib.import_module(f".{MODULES[name]}", __name__).RECIPE
