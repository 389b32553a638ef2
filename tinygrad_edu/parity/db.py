"""Loading torch's own test databases and drawing their samples reproducibly.

torch ships its operator test database inside the wheel:

- ``torch.testing._internal.common_methods_invocations.op_db``: one ``OpInfo`` per operator
  variant (``sample_inputs``, ``reference_inputs``, ``error_inputs``, dtype support, flags);
- ``torch.testing._internal.common_modules.module_db``: one ``ModuleInfo`` per ``nn`` module;
- ``torch.testing._internal.common_optimizers.optim_db``: one ``OptimizerInfo`` per optimizer.

Importing them needs torch and the small ``expecttest`` package. :func:`load` raises
:class:`ParityUnavailable` with one line saying what to install when either is missing.

Samples are drawn with a fixed seed set just before each generator is consumed (torch's own
iterator would reseed from the *calling test's* name, which differs between pytest and the status
tool), so every run sees exactly the same tensors.
"""

from __future__ import annotations

import functools
import random
from types import SimpleNamespace

SEED = 1234  # torch's own default test seed (common_utils.SEED)
DEVICE = "cpu"
INSTALL_HINT = 'pip install "torch==2.13.0" expecttest  (or: pip install -e ".[test]")'


class ParityUnavailable(RuntimeError):
    """torch or expecttest is not installed, so the oracle cannot run."""


@functools.lru_cache(maxsize=None)
def load() -> SimpleNamespace:
    """The three databases: ``.ops`` (OpInfos), ``.modules`` (ModuleInfos), ``.optims``."""
    try:
        import expecttest  # noqa: F401  (torch's test modules import it)
        import torch
    except ImportError as e:
        raise ParityUnavailable(f"the torch oracle needs {e.name}: {INSTALL_HINT}") from None
    torch.set_num_threads(1)  # deterministic reductions, and no thread contention on 2 cores
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.testing._internal.common_methods_invocations import op_db
        from torch.testing._internal.common_modules import module_db
        from torch.testing._internal.common_optimizers import optim_db
    return SimpleNamespace(ops=list(op_db), modules=list(module_db), optims=list(optim_db))


def seed_all(seed: int = SEED) -> None:
    """Seed every generator torch's sample functions may draw from (torch, random, NumPy)."""
    import numpy as np
    import torch

    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)


def opinfo_id(op) -> str:
    """``name`` or ``name.variant_test_name``: the key used in reports and waivers."""
    return f"{op.name}.{op.variant_test_name}" if op.variant_test_name else op.name


def find_op(opid: str):
    """The OpInfo whose :func:`opinfo_id` is ``opid`` (KeyError if none)."""
    for op in load().ops:
        if opinfo_id(op) == opid:
            return op
    raise KeyError(opid)


def test_dtypes(op) -> list:
    """The dtypes an OpInfo is run in: float32 and float64, less those torch's OpInfo declares
    unsupported on the CPU; an OpInfo with neither (integer-only ops: bitwise, gcd, one_hot,
    bincount, ...) runs in int64 and bool where supported, else its first integer dtype."""
    import torch

    supported = op.supported_dtypes(DEVICE)
    floats = [d for d in (torch.float32, torch.float64) if d in supported]
    if floats:
        return floats
    ints = [d for d in (torch.int64, torch.bool) if d in supported]
    others = [d for d in (torch.int32, torch.int16, torch.int8, torch.uint8) if d in supported]
    return ints or others[:1]


def supports_grad(op, dtype) -> bool:
    return bool(op.supports_autograd) and dtype in op.supported_backward_dtypes(DEVICE)


def _drawn(make) -> list:
    """Materialize a sample generator under the fixed seed (an iterator would interleave)."""
    import warnings

    seed_all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(make())


def sample_inputs(op, dtype, requires_grad: bool) -> list:
    """``op.sample_inputs`` on the CPU, drawn with the fixed seed."""
    return _drawn(
        lambda: op.sample_inputs(DEVICE, dtype, requires_grad=requires_grad, set_seed=False)
    )


def reference_inputs(op, dtype) -> list:
    """``op.reference_inputs`` (the extended set with extremal values), without requires_grad
    as torch's own reference tests draw them; empty when the OpInfo defines none (torch would
    then repeat ``sample_inputs``)."""
    if op.reference_inputs_func is None:
        return []
    return _drawn(lambda: op.reference_inputs(DEVICE, dtype, requires_grad=False, set_seed=False))


def error_inputs(op) -> list:
    """``op.error_inputs`` on the CPU (each an ErrorInput: sample, error_type, error_regex)."""
    if op.error_inputs_func is None:
        return []
    return _drawn(lambda: op.error_inputs(DEVICE, set_seed=False))
