"""THE list of tests that fail on the simulated GPU for reasons this branch may not fix.

``conftest.py`` marks each listed test ``xfail`` (only in the simulated run: the ids carry
``cupy-sim`` or use the ``sim_cuda`` fixture). ``strict=True`` entries are real host<->device
leaks in code owned elsewhere (the engine-v2 rewrite of ``ops/``, ``autograd.py``,
``tensor.py``): they fail on every draw, so the day the leak is fixed the test XPASSes, fails,
and the entry must be deleted. ``strict=False`` entries are NOT GPU problems: they fail on the
numpy backend too whenever hypothesis happens to draw the case (the cupy half draws other
examples than the numpy half), so they cannot be strict without making the suite flaky.

``KNOWN_LEAKS`` names the same leaks by location, so ``test_device_steps`` can assert that a
training step makes no transfer *besides* these (and so guards every leak already fixed).
"""

from __future__ import annotations

import re

_INPLACE = "ops/inplace.py:35 _write: `getattr(value, 'dtype', np.asarray(value).dtype)` " \
    "evaluates np.asarray(<device array>) as the getattr default even when value has a dtype"
_MASK = "ops/index.py:130 _normalize_index: xp.nonzero(<host bool mask>) with xp = cupy (a CPU " \
    "bool index tensor for a cuda tensor, which torch accepts; move the mask to x's device)"
_DENOM = "ops/loss.py:216 _ClassLoss._scale: `ctx.denom != 0` on a 0-d device array is a bool() " \
    "sync every backward (use xp.where(denom != 0, g / denom, 0))"
_POOL = "ops/conv.py:144 MaxPool2d forward: `if nan.any()` is a bool() sync every forward (and " \
    "line 146 `bool((y == -inf).any())` with padding): compute the where() unconditionally"

_INPLACE_SPECS = ("add_", "add_[alpha]", "sub_", "mul_", "div_", "pow_", "add_[scalar]",
                  "mul_[scalar]", "__iadd__[augmented]", "copy_", "clamp_", "clamp_[min]",
                  "masked_fill_", "relu_")

KNOWN_FAILURES: dict[str, tuple[str, bool]] = {}  # node id (after the file) -> (reason, strict)
for _s in _INPLACE_SPECS:
    for _t in ("test_parity", "test_special"):
        for _d in ("float32", "float64"):
            KNOWN_FAILURES[f"test_ops_parity.py::{_t}[cupy-sim-{_s}-{_d}]"] = (_INPLACE, True)
for _t, _ds in (("test_parity", ("float32", "float64")), ("test_special", ("float32", "float64")),
                ("test_gradcheck", ("float64",))):
    for _d in _ds:
        KNOWN_FAILURES[f"test_ops_parity.py::{_t}[cupy-sim-__getitem__[bool_mask]-{_d}]"] = (
            _MASK, True)
for _m in ("mlp", "lstm"):
    for _o in ("adam", "sgd"):
        KNOWN_FAILURES[f"test_device_steps.py::test_training_step_makes_no_host_transfer"
                       f"[{_m}-{_o}]"] = (_DENOM, True)
for _o in ("adam", "sgd"):
    KNOWN_FAILURES[f"test_device_steps.py::test_training_step_makes_no_host_transfer[cnn-{_o}]"] \
        = (_DENOM + "; " + _POOL, True)
for _n in ("add_", "add_alpha", "sub_", "mul_", "div_", "mul_scalar", "iadd", "clamp_",
           "masked_fill_", "copy_"):
    KNOWN_FAILURES[f"test_device_steps.py::test_inplace_matches_cpu[{_n}]"] = (_INPLACE, True)

KNOWN_FAILURES["test_gpusim.py::test_pickled_tensor_comes_back_on_its_device"] = (
    "tensor.py:335 Tensor.__reduce_ex__ pickles to_numpy(self._data) and drops the device, so "
    "a cuda tensor unpickles on the cpu (nn.Parameter keeps it: nn/parameter.py)", True)

# The random functions (owned by the generator rewrite).
_RANDOM = {
    "normal[tensor_mean]": "creation.py:183 normal: rng.normal(m, s) is given the device arrays "
    "of a cuda mean/std tensor, which NumPy's generator converts to host (TypeError on a GPU)",
    "multinomial": "creation.py:187 multinomial: np.asarray(input._data) of cuda probabilities",
    "uniform_": _INPLACE + " (the host draw itself is fine)",
    "normal_": _INPLACE + " (the host draw itself is fine)",
    "bernoulli_": _INPLACE + " (the host draw itself is fine)",
}
for _n, _why in _RANDOM.items():
    KNOWN_FAILURES[f"test_device_steps.py::test_random_on_cuda_is_the_cpu_draw_in_one_transfer"
                   f"[{_n}]"] = (_why, True)

# Not GPU problems (fail on the numpy backend as well when drawn; reproductions in the report).
_GELU = "not GPU: torch's float32 SIMD gelu(inf) is nan for tensors of >= 2 elements (a single " \
    "element gives inf, as ours does); fails on numpy too when inf is drawn"
_NORM = "not GPU: ops/reduce.py norm(p=inf) of an empty tensor raises NumPy's ValueError, torch " \
    "a RuntimeError; fails on numpy too when an empty input is drawn"
_MATMUL = "not GPU: matmul with ±inf/±1e20 inputs: NumPy's BLAS and torch's sum the products " \
    "in another order, so inf - inf (nan) and cancellations of 1e20s land differently; fails " \
    "on numpy too (main: test_special[numpy-matmul[rmatmul]-float32], dev profile)"
for _s in ("matmul", "matmul[operator]", "matmul[rmatmul]", "mm", "bmm"):
    for _d in ("float32", "float64"):
        KNOWN_FAILURES[f"test_ops_parity.py::test_special[cupy-sim-{_s}-{_d}]"] = (_MATMUL, False)
KNOWN_FAILURES["test_ops_parity.py::test_gradcheck[cupy-sim-softplus[beta]-float64]"] = (
    "not GPU: softplus is discontinuous at beta*x = threshold (torch's definition); a 'grid' draw "
    "x = 10 with beta=0.5, threshold=5 sits on it and the central difference there is ~-670 on "
    "the numpy backend as well (helpers.numerical_grads)", False)
for _s in ("gelu", "gelu[method]"):
    KNOWN_FAILURES[f"test_ops_parity.py::test_special[cupy-sim-{_s}-float32]"] = (_GELU, False)
for _d in ("float32", "float64"):
    KNOWN_FAILURES[f"test_ops_parity.py::test_parity[cupy-sim-norm-{_d}]"] = (_NORM, False)

# Leaks by where they happen: (innermost file, function, a caller that must appear in the
# event's call chain) -> reason.
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {
    ("tinygrad_edu/ops/loss.py", "_scale", ""): _DENOM,
    ("tinygrad_edu/ops/conv.py", "forward", "in max_pool2d"): _POOL,
}
_FRAME = re.compile(r"^(?P<file>\S+):\d+ in (?P<func>\S+)")


def known_leak(event) -> str | None:
    """The reason when a transfer event happened at a KNOWN_LEAKS location, else None."""
    m = _FRAME.match(event.where.split(" < ")[0])
    if m is None:
        return None
    for (file, func, caller), reason in KNOWN_LEAKS.items():
        if (m["file"], m["func"]) == (file, func) and caller in event.where:
            return reason
    return None


def lookup(nodeid: str):
    """``(reason, strict)`` for a pytest node id, or None."""
    return KNOWN_FAILURES.get(nodeid.rsplit("/", 1)[-1])
