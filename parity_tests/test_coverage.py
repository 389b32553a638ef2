"""Coverage is enforced, not hoped for: every public op must be proven against torch — by one
of torch's own OpInfos that resolves to it (run by test_torch_ops.py), or by an OpSpec of ours
(by name or alias) — or have an entry in EXEMPT with a written reason.

The public op surface, found by introspection:
- callables exported by ``tinygrad_edu`` whose code lives in ``tinygrad_edu.ops.*``;
- every public callable of ``tinygrad_edu.nn.functional``;
- the op methods/properties of ``Tensor`` bound from ``tinygrad_edu.ops`` (``x.add``,
  ``x.__matmul__``, ``x.T`` ...).
"""

from __future__ import annotations

import inspect

import pytest
from registry import all_specs, covered_names

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.ops.methods import FAMILIES

_INPLACE = [n for f in FAMILIES for n in getattr(f, "INPLACE", ())]

EXEMPT = {
    # random draws: no gradient to check; compared with torch bit for bit (same seed, same
    # numbers) in test_torch_rng.py
    **{n: "random draw: equal to torch's for the same seed, in test_torch_rng.py" for n in (
        "normal_", "uniform_", "bernoulli_", "exponential_", "geometric_", "log_normal_",
        "cauchy_", "random_", "bernoulli", "multinomial")},
    "dropout1d": ("torch has no OpInfo for it; values and gradient equal torch's for the same "
                  "seed in test_seq_models.py"),
    "cuda": "needs a GPU; the cupy backend runs the whole suite with --backend cupy",
    "is_contiguous": "a layout query, not an op: compared with torch in test_tensor_api",
    **{n: "a layout query, not an op: compared with torch in test_shape_views" for n in (
        "stride", "storage_offset")},
    "__pos__": "identity (+x); returns its input",
    **{n: "a dtype query, False for every tensor (no complex dtypes): compared with torch in "
          "test_fuzz_found.py" for n in ("is_complex", "is_conj", "is_neg")},
    **{n: "removed from torch in 1.9: raises torch's RuntimeError, in test_linalg_aliases.py"
       for n in ("eig", "symeig")},
    **{n: "in-place alias of transpose_ (torch's OpInfo for transpose lists swapaxes/swapdims "
       "as aliases): compared with torch in test_shape_views" for n in ("swapaxes_", "swapdims_")},
    "erf": "proven by torch's own OpInfo erf samples (test_torch_ops)",
    **{f"new_{k}": "proven by torch's own OpInfo new_* samples (test_torch_ops)"
       for k in ("zeros", "ones", "empty", "full", "tensor")},
    **{f"{k}_": "in-place form of an op with a spec: checked by the OpInfo inplace variants "
       "and the engine's in-place tests" for k in _INPLACE
       if k not in ("add", "sub", "mul", "div", "pow", "clamp", "clip", "masked_fill", "relu")},
}


def _from_ops(obj) -> bool:
    mod = getattr(obj, "__module__", "") or ""
    return mod.startswith("tinygrad_edu.ops")


def public_surface() -> dict:
    """name -> where it was found (for the failure message)."""
    names: dict = {}
    for n in dir(tg):
        if n.startswith("_"):
            continue
        obj = getattr(tg, n)
        if callable(obj) and not inspect.isclass(obj) and _from_ops(obj):
            names.setdefault(n, f"tinygrad_edu.{n}")
    for n in dir(F):
        if n.startswith("_"):
            continue
        obj = getattr(F, n)
        if callable(obj) and not inspect.isclass(obj) and not inspect.ismodule(obj):
            names.setdefault(n, f"tinygrad_edu.nn.functional.{n}")
    for n, obj in vars(tg.Tensor).items():
        fn = obj.fget if isinstance(obj, property) else obj
        if callable(fn) and _from_ops(fn) and (not n.startswith("_") or n.endswith("__")):
            names.setdefault(n, f"Tensor.{n}")
    return names


def test_registry_is_not_empty():
    assert len(all_specs()) > 100


def _opinfo_names() -> set:
    """Public names proven by torch's OpInfos: each implemented OpInfo's dotted name's last part
    (``nn.functional.pad`` -> ``pad``), its Tensor method and its in-place form."""
    from tinygrad_edu.parity import db, resolve

    names = set()
    for op in db.load().ops:
        b = resolve.bind(op)
        if b.variants:
            base = op.name.split(".")[-1]
            names.update({base, f"{base}_", op.name})
    return names


def test_every_public_op_has_a_spec():
    covered = covered_names() | _opinfo_names()
    missing = sorted(
        f"{where}" for n, where in public_surface().items() if n not in covered and n not in EXEMPT
    )
    assert not missing, (
        f"{len(missing)} public op(s) are proven neither by a torch OpInfo nor by an OpSpec in "
        f"parity_tests/specs/ (add one, or an EXEMPT entry with a reason in "
        f"test_coverage.py):\n  " + "\n  ".join(missing)
    )


def test_exempt_entries_are_real_and_reasoned():
    surface = public_surface()
    for n, reason in EXEMPT.items():
        assert n in surface, f"EXEMPT names {n!r}, which is no longer public: remove it"
        assert len(reason) > 10, f"EXEMPT[{n!r}] needs a written reason"
        assert n not in covered_names(), f"{n!r} has a spec: remove it from EXEMPT"


@pytest.mark.parametrize("spec", all_specs(), ids=lambda s: s.id)
def test_spec_is_well_formed(spec):
    assert callable(spec.ours) and callable(spec.ref)
    assert set(spec.dtypes) <= {"float32", "float64"}, spec.dtypes
    if spec.grad_args is not None:
        assert all(isinstance(i, int) for i in spec.grad_args)
