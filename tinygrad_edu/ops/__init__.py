"""The op library: one module per family, each op one Function subclass.

Importing this package binds the ops onto Tensor as methods (see ``methods.py``).
"""

from . import (  # noqa: F401
    activation,
    compare,
    elementwise,
    index,
    inplace,
    matmul,
    matrix,
    methods,  # binds Tensor methods
    random,
    reduce,
    select,
    shape,
    sort,
)
