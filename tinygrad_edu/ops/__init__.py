"""The op library: one module per family, each op one Function subclass.

Importing this package binds the ops onto Tensor as methods (see ``methods.py``).
"""

from . import activation, elementwise, index, inplace, matmul, reduce, shape  # noqa: F401
from . import methods  # noqa: F401  (binds Tensor methods)
