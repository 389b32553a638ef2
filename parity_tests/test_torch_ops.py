"""torch's own OpInfo database (``op_db``) run on tinygrad_edu: one test per implemented OpInfo,
dtype and check (forward, grad, gradgrad, inplace), plus one ``error_inputs`` test per OpInfo.

The harness is :mod:`tinygrad_edu.parity` (see docs/parity.md); a failing test lists the failing
samples with their arguments. A failure may only be excused in
``tinygrad_edu/parity/waivers.py`` (the test is then ``xfail(strict=True)``).
"""

from __future__ import annotations

import functools

import pytest

from tinygrad_edu.parity import db, waivers
from tinygrad_edu.parity.ops import check_errors, check_op, checks_for
from tinygrad_edu.parity.records import EMPTY, PASS, UNSUPPORTED
from tinygrad_edu.parity.resolve import bind

OPS = {db.opinfo_id(op): op for op in db.load().ops if bind(op).implemented}


def _param(name: str, check: str, dtype: str | None, *values):
    why = waivers.reason(name, check, dtype)
    marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
    ident = "-".join(str(v) for v in (name, dtype, check) if v)
    return pytest.param(*values, id=ident, marks=marks)


def _cases():
    for opid, op in OPS.items():
        for dtype in db.test_dtypes(op):
            dname = str(dtype).removeprefix("torch.")
            for check in checks_for(op, dtype):
                yield _param(opid, check, dname, opid, dname, check)


@functools.lru_cache(maxsize=2)
def _results(opid: str, dname: str) -> dict:
    """All checks of one OpInfo and dtype run together (the tests of one op run in a row)."""
    import torch

    return check_op(OPS[opid], getattr(torch, dname))


def judge(res) -> None:
    """Pass, skip with the reason (not yet supported, or nothing to test), or fail listing
    the failing samples."""
    if res.status == UNSUPPORTED:
        pytest.skip(res.unsupported)
    if res.status == EMPTY:
        pytest.skip(
            f"nothing to compare: {res.note or 'no sample applies'}"
            + (f" ({res.skipped_complex} complex samples skipped)" if res.skipped_complex else "")
        )
    if res.status != PASS:
        pytest.fail(res.message(), pytrace=False)


@pytest.mark.parametrize("opid, dname, check", list(_cases()))
def test_opinfo(opid, dname, check):
    judge(_results(opid, dname)[check])


@pytest.mark.parametrize(
    "opid",
    [_param(opid, "error", None, opid) for opid, op in OPS.items() if op.error_inputs_func],
)
def test_opinfo_error_inputs(opid):
    judge(check_errors(OPS[opid]))


# ------------------------------------------------------- the harness itself can fail -----
# A check that cannot fail proves nothing: break tinygrad_edu on purpose and watch each kind of
# check catch it (the breakages are monkeypatched, so the library is untouched afterwards).
def _kinds(res) -> set:
    return {f.kind for f in res.failures}


def test_harness_catches_a_wrong_value_and_dtype(monkeypatch):
    import tinygrad_edu as tg

    exp = tg.exp
    monkeypatch.setattr(tg, "exp", lambda x: exp(x) * 1.0001)
    res = check_op(OPS["exp"], _torch_dtype("float64"))
    assert res["forward"].status == "fail" and "value" in _kinds(res["forward"])
    assert res["forward"].passed > 0  # the method variant, Tensor.exp, is not broken
    monkeypatch.setattr(tg, "exp", lambda x: exp(x).float())
    assert "dtype" in _kinds(check_op(OPS["exp"], _torch_dtype("float64"))["forward"])


def test_harness_catches_a_wrong_gradient(monkeypatch):
    import tinygrad_edu as tg

    exp_fn = tg.exp(tg.ones(1, requires_grad=True)).grad_fn.fn  # exp's Function, wherever it lives
    monkeypatch.setattr(
        exp_fn, "backward", staticmethod(lambda ctx, g: g * ctx.saved_tensors[0] * 1.001)
    )
    res = check_op(OPS["exp"], _torch_dtype("float32"))
    assert res["forward"].status == "pass" and res["grad"].status == "fail"
    assert "value" in _kinds(res["grad"])


def test_harness_catches_a_missing_error(monkeypatch):
    import tinygrad_edu as tg

    cat = tg.cat

    def lenient_cat(tensors, dim=0, **kwargs):
        try:
            return cat(tensors, dim, **kwargs)
        except Exception:
            return tg.zeros(1)

    monkeypatch.setattr(tg, "cat", lenient_cat)
    res = check_errors(OPS["cat"])
    assert res.status == "fail" and "no exception" in _kinds(res)


def test_harness_catches_a_fake_inplace(monkeypatch):
    import tinygrad_edu as tg

    monkeypatch.setattr(tg.Tensor, "add_", lambda self, other, alpha=1: self + alpha * other)
    res = check_op(OPS["add"], _torch_dtype("float64"))
    assert "not in place" in _kinds(res["inplace"])


def _torch_dtype(name: str):
    import torch

    return getattr(torch, name)


# ------------------------------------------------------------ the tables stay honest -----
def test_every_opinfo_has_exactly_one_family():
    from tinygrad_edu.parity.families import INDEX

    names = {op.name for op in db.load().ops}
    ids = {db.opinfo_id(op) for op in db.load().ops}
    assert sorted(n for n in names if n not in INDEX) == []
    assert sorted(k for k in INDEX if k not in names and k not in ids) == []


def test_every_waiver_names_a_real_test():
    """A waiver for a name or check that has no test is dead text: remove or fix it."""
    from tinygrad_edu.parity.modules import tg_class as module_class
    from tinygrad_edu.parity.optim import tg_class as optim_class

    modules = {m.name for m in db.load().modules if module_class(m) is not None}
    optims = {o.name for o in db.load().optims if optim_class(o) is not None}
    for (name, check), why in waivers.WAIVERS.items():
        base, _, dtype = check.partition(":")
        assert why.strip(), (name, check)
        if name in OPS:
            op = OPS[name]
            dtypes = [str(d).removeprefix("torch.") for d in db.test_dtypes(op)]
            valid = {c for d in db.test_dtypes(op) for c in checks_for(op, d)} | {"error"}
        elif name in modules:
            dtypes, valid = ["float32", "float64"], {"forward", "grad", "error"}
        else:
            assert name in optims, f"waiver for unknown or unimplemented {name!r}"
            dtypes, valid = ["float32", "float64"], {"steps", "error"}
        assert base in valid and (not dtype or dtype in dtypes), (name, check)


# ------------------------------------------------------------ tinygrad-edu parity -----------
def test_parity_command_prints_the_family_table(tmp_path, capsys):
    from tinygrad_edu.cli import main

    out = tmp_path / "parity.md"
    rc = main(
        [
            "parity",
            "--only",
            "nn.functional.leaky_relu",
            "--out",
            str(out),
            "--certificate",
            str(tmp_path / "no-log.json"),
        ]
    )
    printed = capsys.readouterr().out
    assert rc == 0 and "nn.functional activations" in printed and "OptimizerInfos" in printed
    text = out.read_text()
    assert "| OpInfo family | total | implemented | passing |" in text
    assert "| nn.functional activations | 1 | 1 |" in text
    assert "## OpSpec certificate" not in text


def test_parity_command_without_expecttest_says_what_to_install(monkeypatch, capsys):
    import sys

    from tinygrad_edu.cli import main

    monkeypatch.setitem(sys.modules, "expecttest", None)
    db.load.cache_clear()
    try:
        assert main(["parity"]) == 2
    finally:
        db.load.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expecttest" in err[0] and "pip install" in err[0]
