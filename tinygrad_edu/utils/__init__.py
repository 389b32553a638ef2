"""Utilities: data loading (issue 3 fills this in)."""
