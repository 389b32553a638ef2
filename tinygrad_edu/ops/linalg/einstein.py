"""``torch.einsum``: Einstein summation, composed of other ops (so its gradient is theirs).

Plan, as torch's own implementation: label every dim (``...`` gets one label per broadcast
dim, aligned from the right); take the diagonal of a label repeated within one operand; sum out
a label no other operand and not the output uses; then contract the operands left to right,
each pair as ONE batched matmul: permute A to (batch, A-only, contracted), B to (batch,
contracted, B-only), reshape both to 3-D, multiply, and reshape back. Finally permute to the
output's order. Every step is a recorded op (diagonal, sum, permute, reshape, matmul, expand),
so the gradient — and the second derivative — come from those ops.
"""

from __future__ import annotations

import math

from ... import dtype as _dt
from ...tensor import Tensor
from ..matmul import matmul
from ..reduce import sum as _sum
from ..shape import permute, reshape
from ._common import DiagonalFn


def _parse(equation: str, operands):
    """Labels per operand and for the output (``...`` dims become '0', '1', ... labels)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError("einsum(): more operands were provided than specified in the equation"
                         if len(operands) > len(terms) else "einsum(): fewer operands were "
                         "provided than specified in the equation")
    n_ell = 0
    for term, t in zip(terms, operands):
        if "..." in term:
            n_ell = max(n_ell, t.ndim - (len(term) - 3))
    ell = [str(i) for i in range(n_ell)]
    labels = []
    for k, (term, t) in enumerate(zip(terms, operands)):
        for c in term.replace("...", ""):
            if not c.isalpha():
                raise ValueError(f"einsum(): invalid subscript given at index {k}: {c!r} (only "
                                 "letters and '...' are allowed)")
        named = len(term.replace("...", ""))
        if "..." in term:
            k_ell = t.ndim - named
            if k_ell < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({named}) is more than the number of dimensions "
                                   f"({t.ndim}) for operand {k}")
            head, _, tail = term.partition("...")
            labels.append(list(head) + ell[n_ell - k_ell:] + list(tail))
        else:
            if named != t.ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({named}) does not match the number of dimensions "
                                   f"({t.ndim}) for operand {k}"
                                   + (" and no ellipsis was given" if named < t.ndim else ""))
            labels.append(list(term))
    if arrow:
        head, dots, tail = rhs.partition("...")
        out = list(head) + (ell if dots else []) + list(tail)
        seen = set()
        for c in out:
            if c in seen:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
            if not any(c in lab for lab in labels):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            seen.add(c)
    else:  # implicit output: the ellipsis dims, then the letters used once, sorted
        counts: dict = {}
        for lab in labels:
            for c in lab:
                counts[c] = counts.get(c, 0) + 1
        out = ell + sorted(c for c, n in counts.items() if n == 1 and c.isalpha())
    return labels, out


def _diagonals(t, lab):
    """Take the diagonal of every label repeated within one operand ('ii' -> 'i')."""
    while len(set(lab)) != len(lab):
        c = next(c for c in lab if lab.count(c) > 1)
        i = lab.index(c)
        j = lab.index(c, i + 1)
        t = DiagonalFn.apply(t, 0, i, j)  # removes dims i and j, appends their diagonal
        lab = [x for k, x in enumerate(lab) if k not in (i, j)] + [c]
    return t, lab


def _sum_out(t, lab, keep):
    """Sum the dims whose label is not in ``keep``."""
    axes = [i for i, c in enumerate(lab) if c not in keep]
    if not axes:
        return t, lab
    return _sum(t, axes), [c for c in lab if c in keep]


def _size(t, lab, c):
    return t.shape[lab.index(c)]


def _contract(a, la, b, lb, keep):
    """a·b summed over the labels both have that ``keep`` does not need: one batched matmul."""
    batch = [c for c in la if c in lb and c in keep]
    summed = [c for c in la if c in lb and c not in keep]
    left = [c for c in la if c not in lb]
    right = [c for c in lb if c not in la]
    for c in batch + summed:  # size-1 dims broadcast against the other operand's size
        na, nb = _size(a, la, c), _size(b, lb, c)
        if na != nb:
            if c in summed:  # Σ_c a·b with a constant along c: sum b first (or a)
                if na == 1:
                    b = _sum(b, lb.index(c), keepdim=True)
                else:
                    a = _sum(a, la.index(c), keepdim=True)
            elif na == 1:
                a = a.expand(*[nb if x == c else -1 for x in la])
            else:
                b = b.expand(*[na if x == c else -1 for x in lb])
    ap = permute(a, [la.index(c) for c in batch + left + summed])
    bp = permute(b, [lb.index(c) for c in batch + summed + right])
    bs = [max(_size(a, la, c), _size(b, lb, c)) for c in batch]
    ls = [_size(a, la, c) for c in left]
    rs = [_size(b, lb, c) for c in right]
    k = math.prod(_size(a, la, c) for c in summed) if summed else 1
    a3 = reshape(ap, (math.prod(bs), math.prod(ls), k))
    b3 = reshape(bp, (math.prod(bs), k, math.prod(rs)))
    if a3.dtype != b3.dtype:  # a sum above widened one integer operand to int64 (as torch's)
        common = _dt.result_type(a3, b3)
        a3, b3 = a3.to(common), b3.to(common)
    return reshape(matmul(a3, b3), bs + ls + rs), batch + left + right


def _check_sizes(operands, labels) -> None:
    sizes: dict = {}
    for k, (t, lab) in enumerate(zip(operands, labels)):
        for c, n in zip(lab, t.shape):
            m = sizes.get(c)
            if m is not None and n != m and n != 1 and m != 1:
                name = "ellipsis dim" if c.isdigit() else f"subscript {c}"
                raise RuntimeError(f"einsum(): {name} has size {n} for operand {k} which does "
                                   f"not broadcast with previously seen size {m}")
            sizes[c] = n if m in (None, 1) else m


def einsum(equation, *operands):
    """``torch.einsum``: the sum over repeated subscripts of products of the operands' entries,
    e.g. 'ij,jk->ik' is matmul, 'ii->i' the diagonal, 'bij->bji' a transpose. Implicit output
    (no '->'): the subscripts used once, sorted. Size-1 dims broadcast. Raises RuntimeError for
    mismatched sizes or subscript counts. Derivative: that of the ops it is composed of."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):  # the sublist form: einsum(a, [0, 1], b, [1, 2], [0, 2])
        return _sublist(equation, *operands)
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): expected Tensor operands, got {type(t).__name__}")
    labels, out = _parse(equation, operands)
    _check_sizes(operands, labels)
    later = [set(out)]  # later[i]: labels needed after operand i (output and later operands)
    for lab in reversed(labels[1:]):
        later.insert(0, later[0] | set(lab))
    ts = []
    for k, (t, lab) in enumerate(zip(operands, labels)):
        t, lab = _diagonals(t, lab)
        others = set(out).union(*(set(x) for i, x in enumerate(labels) if i != k))
        ts.append(_sum_out(t, lab, others))
    acc, la = ts[0]
    for k in range(1, len(ts)):
        b, lb = ts[k]
        acc, la = _contract(acc, la, b, lb, later[k])
    acc, la = _sum_out(acc, la, set(out))
    return permute(acc, [la.index(c) for c in out]) if la != out else acc


def _sublist(*args):
    """einsum(op0, sub0, op1, sub1, ..., [out]): subscripts as lists of ints (Ellipsis allowed)."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def term(sub):
        return "".join("..." if s is Ellipsis else letters[s] for s in sub)

    args = list(args)
    out = args.pop() if len(args) % 2 else None
    ops, subs = args[0::2], args[1::2]
    eq = ",".join(term(s) for s in subs) + ("" if out is None else "->" + term(out))
    return einsum(eq, *ops)


def bilinear(input1, input2, weight, bias=None):
    """``torch.bilinear`` (also ``F.bilinear``): yₒ = Σᵢⱼ x1ᵢ Wₒᵢⱼ x2ⱼ + bₒ, the einsum
    '...i,oij,...j->...o' plus the bias. Shapes: input1 (..., I), input2 (..., J) with the same
    batch dims, weight (O, I, J), bias (O,) -> (..., O). dtype: the operands' (the same float).
    Raises RuntimeError, as torch, for different ranks or batch dims of the inputs and for
    I, J or O not matching the weight. Derivative: that of the einsum (x̄1 = W x2 ḡ, W̄ = ḡ⊗x1⊗x2,
    x̄2 = x1ᵀW ḡ) and of the sum (b̄ = Σ ḡ over the batch)."""
    op = "bilinear()"
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"{op}: input dimensions do not match: got {input1.ndim} and "
                           f"{input2.ndim}")
    for i in range(input1.ndim - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"{op}: input batch dimensions do not match at dim {i}: got "
                               f"{input1.shape[i]} and {input2.shape[i]}")
    if weight.ndim != 3:
        raise RuntimeError(f"{op}: weight must be 3-D (out, in1, in2), got {weight.ndim}-D "
                           f"of shape {list(weight.shape)}")
    for k, t in ((1, input1), (2, input2)):
        if t.ndim == 0 or t.shape[-1] != weight.shape[k]:
            got = t.shape[-1] if t.ndim else "a 0-d tensor"
            raise RuntimeError(f"{op}: input{k} size does not match weight size: got {got} "
                               f"but expected {weight.shape[k]}")
    if bias is not None and (bias.ndim == 0 or bias.shape[0] != weight.shape[0]):
        got = bias.shape[0] if bias.ndim else "a 0-d tensor"
        raise RuntimeError(f"{op}: bias size does not match weight size: got {got} but "
                           f"expected {weight.shape[0]}")
    ts = (("input1", input1), ("input2", input2), ("weight", weight)) + (
        () if bias is None else (("bias", bias),))
    if any(t._data.dtype != input1._data.dtype for _, t in ts):
        raise RuntimeError("All tensors must have the same dtype, got " + ", ".join(
            f"{k}: {_dt.cpp_type_name(t.dtype)}" for k, t in ts) + f" ({op})")
    y = einsum("...i,oij,...j->...o", input1, weight, input2)
    return y if bias is None else y + bias


__all__ = ["einsum", "bilinear"]

METHODS: dict = {}
