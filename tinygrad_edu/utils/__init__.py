"""Utilities: ``tg.utils.data`` (Dataset, DataLoader, random_split, ...) and
``tg.utils.checkpoint`` (activation checkpointing)."""

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
