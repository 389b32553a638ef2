"""What a user Function's ``ctx`` offers beyond ``save_for_backward``, as torch's "Extending
PyTorch" page uses it.

- **The split form** (torch 2): ``forward(*args)`` without ctx, then
  ``setup_context(ctx, inputs, output)`` saves what backward needs. ``record.user_forward``
  calls the pair when the Function defines ``setup_context``.
- ``ctx.mark_non_differentiable(*outputs)``: those outputs do not require grad (an argmax or
  a mask returned beside a value); backward receives zeros for them.
- ``ctx.set_materialize_grads(False)``: backward receives None, not zeros, for an output that
  got no gradient (a multi-output Function whose other outputs were unused).
- ``ctx.mark_dirty(*inputs)``: forward modified those inputs in place and returns them; the
  call then returns the input Tensor itself, its version bumped and its history the Function's
  node, as an in-place op's (torch refuses it on a leaf that requires grad).

:func:`finish` applies the marks once ``record`` has made the output Tensors.
"""

from __future__ import annotations


def mark_non_differentiable(ctx, *tensors) -> None:
    ctx.__dict__["_non_differentiable"] = tensors


def set_materialize_grads(ctx, value: bool) -> None:
    ctx.__dict__["materialize_grads"] = bool(value)


def mark_dirty(ctx, *tensors) -> None:
    ctx.__dict__["_dirty"] = tensors


def finish(ctx, args, out):
    """Apply ``ctx``'s marks to the recorded outputs ``out`` (a Tensor or a tuple); returns
    what ``apply`` returns."""
    marks = ctx.__dict__
    non_diff = marks.get("_non_differentiable", ())
    dirty = marks.get("_dirty", ())
    if not non_diff and not dirty:
        return out
    single = not isinstance(out, tuple)
    outs = [out] if single else list(out)
    for t in outs:
        if any(t._data is m._data for m in non_diff):
            t._node, t._rg = None, False
    from ..tensor import Tensor

    for k, t in enumerate(outs):
        src = next((a for a in args if isinstance(a, Tensor) and a._data is t._data
                    and any(d._data is t._data for d in dirty)), None)
        if src is None:
            continue
        if src._rg and src._node is None and t._node is not None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        src._version += 1  # written in place: saved copies of it are now stale
        src._node, src._oi, src._rg = t._node, t._oi, t._rg
        outs[k] = src
    return outs[0] if single else tuple(outs)
