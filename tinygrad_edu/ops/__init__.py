"""The op library: one module per family, each op one Function subclass (named ``<Op>Fn``;
its graph node prints as torch's ``<Op>Backward0``) beside the public functions.

Families, by what they do: arithmetic, unary (exp, log, trig ...), rounding, logic
(comparisons, tests), select (maximum, clamp, where), reduce, statistics, extrema, scan, sort,
order (median, kthvalue, mode), quantile, difference (diff, gradient, trapezoid), search
(searchsorted, unique, isin), histogram, masked_ops (for tg.masked), shape (views), join (cat,
split ...), index, inplace, matmul, matrix, activation, loss, cross_entropy, distance, conv,
pool, normalization, linalg (package: products, norms, solvers, decompositions), embedding,
dropout, random, device, and promotion (dtype rules and the cast op). Importing this package
binds the ops onto Tensor as
methods (``methods.py``).
"""

from . import (  # noqa: F401
    activation,
    activation2,
    arithmetic,
    bitwise,
    copies,
    cross_entropy,
    device,
    diagonal,
    difference,
    distance,
    division,
    dropout,
    extrema,
    histogram,
    index,
    index_ops,
    inplace,
    inplace_views,
    join,
    linalg,
    logic,
    loss,
    loss2,
    matmul,
    matrix,
    methods,  # binds Tensor methods
    operators,
    order,
    padding,
    pointwise,
    pool,
    promotion,
    quantile,
    random,
    reduce,
    reorder,
    repeat,
    rounding,
    scan,
    scatter,
    search,
    select,
    shape,
    sort,
    split,
    statistics,
    ternary,
    unary,
    view_scatter,
    views,
)
