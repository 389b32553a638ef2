"""Neural-network building blocks (issue 3 fills this in)."""
from . import functional  # noqa: F401
