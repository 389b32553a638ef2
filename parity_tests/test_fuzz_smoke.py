"""Pinned runs of the differential fuzzer (parity_tests/scripts/fuzz_graphs.py).

- 30 fixed seeds whose random programs (views of views, in-place writes through views,
  broadcasting, casts, backward, autograd.grad with create_graph, hooks, no_grad) agree with
  torch line by line: every variable's value, dtype, shape, requires_grad, is_leaf, leaf .grad
  and the exception type of each line.
- one minimal reproduction per known kind of difference (scripts/fuzz/repros.py), each a strict
  expected failure named after its kind: fixing the kind makes its test XPASS, which fails the
  suite until the entry (and its Kind in known.py) is deleted.
- the classifier puts each reproduction in its own kind, and the comparator rejects a changed
  value, dtype, gradient and exception type.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

import tinygrad_edu

sys.path.insert(0, str(Path(__file__).parent / "scripts"))

from fuzz.classify import classify  # noqa: E402
from fuzz.gen import generate  # noqa: E402
from fuzz.known import KINDS  # noqa: E402
from fuzz.repros import REPROS  # noqa: E402
from fuzz.run import compare, run, run_pair  # noqa: E402
from fuzz.shrink import reproduction  # noqa: E402

SEEDS = [
    0,
    1,
    2,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    20,
    21,
    22,
    24,
    25,
    26,
    27,
    28,
    29,
    30,
    31,
    32,
]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_agrees_with_torch(seed):
    lines = [src for _, src in generate(seed)]
    m = run_pair(lines, tinygrad_edu)
    assert m is None, reproduction(lines, m)


# kinds fixed since the fuzzer found them: their reproductions now agree with torch and stay
# here as regression tests (the others are strict xfails: fixing one flips its test)
FIXED = {
    "identity_view", "index_0d_tensor_copies", "overlapping_view_write", "cat_skips_empty",
    "zero_grad_write_disconnects", "nan_subgradient", "overlap_check_too_strict",
    "missing_partial_overlap_check", "readonly_numpy_error", "setitem_error_types",
    "backward_after_view_write", "output_layout_differs", "pow_zero_exponent_double_backward",
    "elu_double_backward_kink", "mask0d_setitem", "pow_special_values", "saved_array_identity",
    "create_graph_grad_aliasing", "data_write_saved", "add_alpha_int_overflow", "signed_zero",
    "tensor_hooks_after_inplace", "view_requires_grad_stale", "no_grad_view_rule",
    "create_graph_requires_grad", "index_op_error_types", "misc_error_types",
    "empty_tensor_checks", "oversaved_inplace_error", "multi_output_view_rules",
}


@pytest.mark.parametrize(
    "kind",
    [
        k if k in FIXED else
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=f"known kind {k}"))
        for k in REPROS
    ],
)
def test_known_kind(kind):
    lines = REPROS[kind]
    m = run_pair(lines, tinygrad_edu)
    assert m is None, reproduction(lines, m)


@pytest.mark.parametrize("kind", list(REPROS))
def test_reproduction_is_classified_as_its_kind(kind):
    lines = REPROS[kind]
    m = run_pair(lines, tinygrad_edu)
    if m is not None:  # once fixed, test_known_kind XPASSes and says so
        assert classify(lines, m) == kind, m.describe()


def test_every_bug_kind_has_a_reproduction():
    ours = {k.name for k in KINDS if k.rank in ("silent", "dtype", "exception")}
    assert ours == set(REPROS)


LINES = [
    "a = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)",
    "b = (a.exp() * W(a)).sum()",
    "b.backward()",
    "c = a[5]",
]


def _trace():
    return run(LINES, torch)


def test_comparator_accepts_torch_against_itself():
    assert compare(_trace(), _trace()) is None


@pytest.mark.parametrize(
    "broken,category",
    [
        (lambda t: t[1][2]["b"]["value"].__iadd__(1e-6), "value"),
        (lambda t: t[1][2]["b"].__setitem__("dtype", "torch.float32"), "dtype"),
        (lambda t: t[2][2]["a"]["grad"][2].__imul__(1.0 + 1e-5), "grad"),
        (lambda t: t[2][2]["a"].__setitem__("grad", None), "grad_none"),
        (lambda t: t.__setitem__(3, ("RuntimeError",) + t[3][1:]), "exception"),
    ],
)
def test_comparator_rejects_a_broken_result(broken, category):
    ours = _trace()
    broken(ours)
    m = compare(_trace(), ours)
    assert m is not None and m.category == category
