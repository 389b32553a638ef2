"""The op registry that drives the generated parity tests (docs/design.md §4).

Every public op gets one or more :class:`OpSpec` entries, registered with :func:`register`.
``test_ops_parity.py`` turns each spec into tests (spec × dtype × backend):

1. forward value, dtype and shape vs torch;
2. backward vs torch with a random upstream gradient (broadcasting and kink values included);
3. a float64 central-difference gradcheck when ``smooth`` is true;
4. special values (nan, ±inf, ±1e20, −0.0) vs torch;
5. invariants: inputs not mutated, gradients not aliased, backward twice accumulates 2×.

``test_coverage.py`` fails for any public op whose name is neither a spec ``name`` nor one of
its ``aliases`` (nor explicitly exempted with a reason).

Adding specs from another module
--------------------------------
Drop a module into ``parity_tests/specs/`` (e.g. ``specs/nn_functional.py``); it is imported
automatically by :func:`all_specs`. Inside it::

    from registry import OpSpec, register, dims_kwargs

    register(OpSpec(
        "mse_loss",
        fn=lambda lib, x, y, **kw: lib.nn.functional.mse_loss(x, y, **kw),
        shapes=same_shapes(2),                 # two tensors of one shape
        kwargs=lambda shapes: st.fixed_dictionaries(
            {"reduction": st.sampled_from(["none", "mean", "sum"])}),
    ))

``fn(lib, *args, **kwargs)`` is called with ``lib`` = ``tinygrad_edu`` and then with
``lib`` = ``torch`` (give ``ours``/``ref`` separately when the spellings differ). Tensor
arguments arrive as tensors of the library being tested.

How inputs are drawn
--------------------
By default a sample is ``len(shapes)`` tensor arguments whose shapes come from ``shapes``:

- an ``int`` n: n mutually broadcastable shapes (0-d and size-1 dims included);
- a ``str``: a NumPy gufunc signature, e.g. ``"(m?,n),(n,p?)->(m?,p?)"`` for matmul;
- a hypothesis strategy yielding a tuple of shapes.

``arg_kinds`` gives each argument's kind: ``"f"`` float tensor of the tested dtype (the
default), ``"b"`` bool tensor, ``"i"`` int64 tensor (values from ``elements``), ``"s"`` a Python
float scalar (its "shape" is ignored). ``elements`` is a ``(lo, hi)`` range for all arguments or a
tuple of ranges, one per argument. ``kwargs(shapes)`` returns a strategy of keyword arguments
(it sees the drawn shapes, so it can pick a valid ``dim``).

For structured inputs (index tensors that depend on a shape, lists of tensors, ``__getitem__``
keys ...) give ``sample``: a function ``sample(draw, dtype) -> (args, kwargs)`` that uses
hypothesis' ``draw`` directly. NumPy arrays in ``args`` (also inside lists/tuples) become
tensors; anything else is passed as is. Use :func:`arrays` inside it.

Kinks
-----
``kinks`` lists values where the op is not differentiable (``0.0`` for relu/abs; a clamp's
bounds). The backward test injects them into the inputs so torch's subgradient convention is
locked in (docs/design.md). The token ``"ties"`` draws values from a small grid instead, so
ties within and across arguments are frequent (max/min/maximum/...). The gradcheck pushes
values away from numeric kinks.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_DTYPES = ("float32", "float64")
# special values injected by test 4 (docs/design.md §4)
SPECIAL_VALUES = (float("nan"), float("inf"), float("-inf"), 1e20, -1e20, -0.0, 0.0)


@dataclass
class OpSpec:
    """One op under test. Only ``name`` and ``fn`` (or ``ours`` + ``ref``) are required.

    Attributes
    ----------
    name : str
        The op's public name (what the coverage test looks for), e.g. ``"add"``. Several
        specs may share a name when they differ in ``variant``.
    fn : callable, optional
        ``fn(lib, *args, **kwargs)``, run with ``lib`` = tinygrad_edu and with ``lib`` = torch.
    ours, ref : callable, optional
        ``ours(*args, **kwargs)`` on tinygrad_edu tensors, ``ref(*args, **kwargs)`` on torch
        tensors; filled from ``fn`` when not given.
    variant : str
        Distinguishes several specs of one op in test ids (``"pow"`` / ``"scalar_exp"``).
    aliases : tuple of str
        Other public names this spec covers (``"__add__"``, ``"clip"``, ``"Tensor.T"`` ...).
    shapes : int | str | strategy
        See the module docstring. Default ``1`` (one tensor of any shape, 0-d included).
    arg_kinds : tuple of str, optional
        Per argument ``"f"``/``"b"``/``"i"``/``"s"``; default all ``"f"``.
    elements : (lo, hi) or tuple of them
        Value range, default ``(-10, 10)``.
    kwargs : callable, optional
        ``kwargs(shapes) -> strategy of dict``.
    sample : callable, optional
        ``sample(draw, dtype) -> (args, kwargs)``; overrides shapes/arg_kinds/elements/kwargs.
    grad_args : tuple of int, optional
        Positions of arguments that get ``requires_grad=True`` (default: every float tensor
        argument). ``()`` means the op has no gradient (comparisons, argmax): the backward and
        gradcheck tests are skipped for it.
    kinks : tuple
        Values injected by the backward test (see module docstring).
    smooth : bool
        Run the float64 finite-difference gradcheck (kink values are avoided there).
    dtypes : tuple of str
        Float dtypes to test (``"float32"``, ``"float64"``).
    tol : float or dict
        Multiplier on the default tolerances (docs/design.md §4); a dict maps a dtype name to it.
    grad_tol : float
        Extra multiplier for gradient comparisons.
    xfail : str, optional
        Reason the spec is expected to fail (marks its tests xfail, strict).
    special : bool or tuple
        Special values to inject in test 4 (``True`` = :data:`SPECIAL_VALUES`, ``False`` = skip).
    special_grad : bool
        Also compare gradients in the special-values test.
    max_numel : int
        Cap on elements per array in the gradcheck (keeps finite differences cheap).
    no_grad_only : bool
        The op is run under ``no_grad`` only (in-place ops); forward is compared, no backward.
    compare : callable, optional
        ``compare(ours_out, ref_out) -> (ours_arrays, ref_arrays)``: custom projection of the
        outputs before comparison (e.g. for outputs that are lists).
    special_bound : callable, optional
        ``special_bound(*args) -> array``: the error bound of an ill-conditioned result in the
        special-values test (huge terms that cancel in a dot product: every summation order,
        FMA or not, gives another answer, all within this bound of the exact one). There the
        absolute tolerance is raised to it elementwise.
    """

    name: str
    fn: Callable | None = None
    ours: Callable | None = None
    ref: Callable | None = None
    variant: str = ""
    aliases: tuple = ()
    shapes: Any = 1
    arg_kinds: tuple | None = None
    elements: Any = (-10.0, 10.0)
    kwargs: Callable | None = None
    sample: Callable | None = None
    grad_args: tuple | None = None
    kinks: tuple = ()
    smooth: bool = True
    dtypes: tuple = DEFAULT_DTYPES
    tol: Any = 1.0
    grad_tol: float = 1.0
    xfail: str | None = None
    special: Any = True
    special_grad: bool = False
    max_numel: int = 24
    no_grad_only: bool = False
    compare: Callable | None = None
    special_bound: Callable | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.fn is not None:
            f = self.fn
            import torch

            import tinygrad_edu

            if self.ours is None:
                self.ours = lambda *a, **k: f(tinygrad_edu, *a, **k)
            if self.ref is None:
                self.ref = lambda *a, **k: f(torch, *a, **k)
        if self.ours is None or self.ref is None:
            raise ValueError(f"OpSpec {self.name!r}: give fn, or both ours and ref")
        if self.special is True:
            self.special = SPECIAL_VALUES

    def __repr__(self) -> str:  # short, for hypothesis' falsifying examples
        return f"OpSpec({self.id!r})"

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    @property
    def has_grad(self) -> bool:
        return not self.no_grad_only and self.grad_args != ()

    def tol_for(self, dtype: str) -> float:
        if isinstance(self.tol, dict):
            return float(self.tol.get(dtype, 1.0))
        return float(self.tol)

    def covers(self) -> set:
        return {self.name, *self.aliases}


_REGISTRY: dict[str, OpSpec] = {}
_loaded = False


def register(spec: OpSpec) -> OpSpec:
    """Add ``spec`` to the registry (its ``id`` must be unique)."""
    if spec.id in _REGISTRY:
        raise ValueError(f"duplicate OpSpec id {spec.id!r}")
    import sys

    spec.extra.setdefault("module", sys._getframe(1).f_globals.get("__name__", "?"))
    _REGISTRY[spec.id] = spec
    return spec


def load_specs() -> None:
    """Import every module in ``parity_tests/specs/`` (each registers its specs)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import specs

    for m in sorted(pkgutil.iter_modules(specs.__path__), key=lambda m: m.name):
        if not m.name.startswith("_"):
            importlib.import_module(f"specs.{m.name}")


def all_specs() -> list[OpSpec]:
    """Every registered spec, in registration order."""
    load_specs()
    return list(_REGISTRY.values())


def covered_names() -> set:
    names = set()
    for s in all_specs():
        names |= s.covers()
    return names


# ------------------------------------------------------------------------ strategy helpers ---
def _st():
    from hypothesis import strategies as st

    return st


def dims_kwargs(
    shapes, keepdim: bool = True, allow_none: bool = True, multi: bool = True, name: str = "dim"
):
    """A strategy of ``{dim, keepdim}`` valid for the first shape (negative dims included)."""
    st = _st()
    nd = len(shapes[0])
    choices = []
    if allow_none:
        choices.append(st.just({}))
    if nd:
        one = st.integers(-nd, nd - 1)
        choices.append(one.map(lambda d: {name: d}))
        if multi and nd > 1:
            choices.append(
                st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True).map(
                    lambda ds: {name: tuple(ds)}
                )
            )
    else:
        choices.append(st.sampled_from([0, -1]).map(lambda d: {name: d}))
    base = st.one_of(*choices)
    if not keepdim:
        return base
    return base.flatmap(lambda d: st.booleans().map(lambda k: {**d, "keepdim": k} if d else d))


def same_shapes(n: int, min_dims: int = 0, max_dims: int = 3, max_side: int = 4):
    """A strategy of n equal shapes."""
    from hypothesis.extra import numpy as hnp

    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda s: (s,) * n)


def floats(lo: float, hi: float, dtype: str = "float64"):
    """hypothesis floats in [lo, hi] representable in ``dtype`` (bounds rounded inward)."""
    import numpy as np

    st = _st()
    width = 64
    if dtype == "float32":
        width = 32
        f32 = np.float32
        lo32, hi32 = f32(lo), f32(hi)
        if float(lo32) < lo:
            lo32 = np.nextafter(lo32, f32(np.inf))
        if float(hi32) > hi:
            hi32 = np.nextafter(hi32, f32(-np.inf))
        lo, hi = float(lo32), float(hi32)
    return st.floats(lo, hi, width=width, allow_subnormal=False)


def edge_values(lo: float, hi: float) -> list:
    """The 'nasty' values of a range that random draws rarely hit: bounds, ±0, ±1."""
    vals = [lo, hi]
    vals += [v for v in (0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-3) if lo <= v <= hi]
    return vals


def values(rng, shape, lo: float, hi: float, dtype: str, style: str = "uniform"):
    """A float array of ``shape`` in [lo, hi] from NumPy ``rng``.

    ``style``: ``"uniform"``; ``"edges"`` (about a third of the elements replaced by
    :func:`edge_values`); ``"grid"`` (rounded to integers: ties within and across arrays).
    Values come from NumPy rather than element-by-element hypothesis draws because that is
    ~10x cheaper; hypothesis still draws (and shrinks) the shapes, seeds and styles.
    """
    import numpy as np

    a = np.asarray(rng.uniform(lo, hi, shape))
    if style == "edges" and a.size:
        mask = rng.random(a.shape) < 0.35
        a[mask] = rng.choice(edge_values(lo, hi), size=int(mask.sum()))
    elif style == "grid":
        a = np.clip(np.round(a), lo, hi)
    return np.asarray(a, dtype=dtype)


VALUE_STYLES = ("uniform", "uniform", "edges", "grid")


def arrays(draw, dtype: str, shape, lo: float = -10.0, hi: float = 10.0):
    """Draw a float array of ``shape`` with values in [lo, hi] (for custom ``sample``)."""
    import numpy as np

    st = _st()
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return values(rng, tuple(shape), lo, hi, dtype, draw(st.sampled_from(VALUE_STYLES)))
