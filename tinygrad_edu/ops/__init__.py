"""The op library: one module per family, each op one Function subclass (named ``<Op>Fn``;
its graph node prints as torch's ``<Op>Backward0``) beside the public functions.

Families, by what they do: arithmetic, unary (exp, log, sqrt, sin, cos ...), trig (tan, the
inverse and hyperbolic functions), exp_log (exp2, log2, logit ...), gamma (lgamma, digamma,
erfinv ...), special_fns and polynomials (torch.special's own), bits (signbit, frexp, ~),
rounding, logic
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
    arithmetic,
    bits,
    bitwise,
    copies,
    cross_entropy,
    device,
    diagonal,
    difference,
    distance,
    division,
    dropout,
    exp_log,
    extrema,
    gamma,
    histogram,
    index,
    index_ops,
    inplace,
    inplace_views,
    join,
    linalg,
    logic,
    loss,
    matmul,
    matrix,
    methods,  # binds Tensor methods
    operators,
    order,
    padding,
    pointwise,
    polynomials,
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
    special_fns,
    split,
    statistics,
    ternary,
    trig,
    unary,
    view_scatter,
    views,
)
