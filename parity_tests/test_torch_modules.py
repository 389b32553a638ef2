"""torch's own ModuleInfo database (``module_db``) run on tinygrad_edu: for every ``nn`` module
tinygrad_edu implements, forward (outputs and buffers, train and eval mode) and gradients
(inputs and parameters) per dtype, and ``module_error_inputs``.
See :mod:`tinygrad_edu.parity.modules`; waivers live in ``tinygrad_edu/parity/waivers.py``.
"""

from __future__ import annotations

import functools

import pytest
from test_torch_ops import _param, judge

from tinygrad_edu.parity import db
from tinygrad_edu.parity.modules import check_module, check_module_errors, float_dtypes, tg_class

MODULES = {mi.name: mi for mi in db.load().modules if tg_class(mi) is not None}


def _cases():
    for name, mi in MODULES.items():
        for dtype in float_dtypes(mi):
            dname = str(dtype).removeprefix("torch.")
            for check in ("forward", "grad"):
                yield _param(name, check, dname, name, dname, check)


@functools.lru_cache(maxsize=2)
def _results(name: str, dname: str) -> dict:
    import torch

    return check_module(MODULES[name], getattr(torch, dname))


@pytest.mark.parametrize("name, dname, check", list(_cases()))
def test_moduleinfo(name, dname, check):
    judge(_results(name, dname)[check])


@pytest.mark.parametrize(
    "name",
    [_param(n, "error", None, n) for n, mi in MODULES.items() if mi.module_error_inputs_func],
)
def test_moduleinfo_error_inputs(name):
    judge(check_module_errors(MODULES[name]))
