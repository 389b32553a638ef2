"""torch's own OptimizerInfo database (``optim_db``) run on tinygrad_edu: for every optimizer
tinygrad_edu implements, all of torch's configurations (with the CPU implementation flags) for
20 steps per dtype, parameters and state compared after every step, the state_dict exchanged
both ways; and ``optim_error_inputs``. See :mod:`tinygrad_edu.parity.optim`.
"""

from __future__ import annotations

import pytest
from test_torch_ops import _param, judge

from tinygrad_edu.parity import db
from tinygrad_edu.parity.optim import check_optimizer, check_optimizer_errors, tg_class

OPTIMS = {oi.name: oi for oi in db.load().optims if tg_class(oi) is not None}


@pytest.mark.parametrize(
    "name, dname",
    [_param(n, "steps", d, n, d) for n in OPTIMS for d in ("float32", "float64")],
)
def test_optimizerinfo(name, dname):
    import torch

    judge(check_optimizer(OPTIMS[name], getattr(torch, dname)))


@pytest.mark.parametrize(
    "name",
    [_param(n, "error", None, n) for n, oi in OPTIMS.items() if oi.optim_error_inputs_func],
)
def test_optimizerinfo_error_inputs(name):
    judge(check_optimizer_errors(OPTIMS[name]))
