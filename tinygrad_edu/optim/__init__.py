"""Optimizers (issue 3 fills this in)."""
