"""The op library: one module per family, each op one Function subclass (named ``<Op>Fn``;
its graph node prints as torch's ``<Op>Backward0``) beside the public functions.

Families, by what they do: arithmetic, unary (exp, log, trig ...), rounding, logic
(comparisons, tests), select (maximum, clamp, where), reduce, statistics, extrema, scan, sort,
shape (views), join (cat, split ...), index, inplace, matmul, matrix, activation, loss,
cross_entropy, distance, conv, pool, normalization, embedding, dropout, random, device, and
promotion (dtype rules and the cast op). Importing this package binds the ops onto Tensor as
methods (``methods.py``).
"""

from . import (  # noqa: F401
    activation,
    activation2,
    arithmetic,
    cross_entropy,
    device,
    distance,
    dropout,
    extrema,
    index,
    inplace,
    join,
    logic,
    loss,
    loss2,
    matmul,
    matrix,
    methods,  # binds Tensor methods
    pool,
    promotion,
    random,
    reduce,
    rounding,
    scan,
    select,
    shape,
    sort,
    statistics,
    unary,
)
