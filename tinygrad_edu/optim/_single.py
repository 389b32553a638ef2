"""``SingleTensorOptimizer``: the shared loop of optimizers that update each parameter on its
own (torch's ``_single_tensor_*`` code path), with the update rule written ONCE.

A subclass gives two methods:

- ``_new_state(xp, p, group)``: the initial per-parameter state (besides ``step``), as arrays,
  under torch's state keys (``exp_avg``, ``square_avg``, ...);
- ``_update(xp, p, g, s, group, step)``: the new parameter value. ``g`` is the gradient
  (already negated when ``maximize``), ``s`` the state dict (minus ``step``), whose entries the
  rule replaces with their new values, ``step`` the step count t (a float, after the increment).

Values are NumPy/CuPy arrays and ``xp`` is their module: plain array math, nothing recorded. With
``differentiable=True`` (as torch: the step itself is recorded by autograd, so a meta-gradient can
flow through it) the same rule runs on Tensors, ``xp`` is the differentiable
:data:`~tinygrad_edu.ops._dual.tensor_xp`, and the parameter is overwritten with ``copy_``.

Rules are written out of place in torch's order of operations (``a.addcdiv_(b, c, value=v)`` is
``a + v * b / c``, evaluated left to right), so float32 results agree with torch's to the last
bits.
"""

from __future__ import annotations

from ..backend import get_array_module
from ..ops._dual import xp_of
from ..tensor import Tensor
from .optimizer import Optimizer


def data(x):
    """The raw array of a Tensor (``x`` itself for an array): for quantities with no gradient."""
    return x._data if isinstance(x, Tensor) else x


def lerp(m, d, w):
    """torch.lerp(m, d, w) with its two branches: m + w·(d - m) if |w| < 0.5 else
    d - (d - m)·(1 - w) (the second keeps m = d exact at w = 1)."""
    if abs(w) < 0.5:
        return m + w * (d - m)
    return d - (d - m) * (1 - w)


class SingleTensorOptimizer(Optimizer):
    """Base of the per-parameter optimizers (Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD)."""

    def _new_state(self, xp, p, group: dict) -> dict:
        raise NotImplementedError

    def _update(self, xp, p, g, s: dict, group: dict, step: float):
        raise NotImplementedError

    def _check_param(self, p: Tensor) -> None:
        g = p.grad._data
        if g.shape != p._data.shape:
            raise RuntimeError(
                f"{type(self).__name__}.step: gradient shape {list(g.shape)} does not match "
                f"parameter shape {list(p._data.shape)}"
            )

    def step(self, closure=None):
        """Perform one optimization step (``closure`` re-evaluates the loss, as torch)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group: dict) -> None:
        """Apply ``_update`` to every parameter of ``group`` that has a gradient."""
        diff = bool(group.get("differentiable"))
        for p in group["params"]:
            if p.grad is None:
                continue
            self._check_param(p)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = self._new_step()
                xp = get_array_module(p._data)
                for key, value in self._new_state(xp, p._data, group).items():
                    state[key] = Tensor._wrap(value)
            state["step"]._data += 1
            P = p if diff else p._data
            G = p.grad if diff else p.grad._data
            if group.get("maximize"):
                G = -G
            s = {k: (v if diff else v._data) for k, v in state.items() if k != "step"}
            new = self._update(xp_of(P), P, G, s, group, float(state["step"]._data))
            for key, value in s.items():
                if not isinstance(value, Tensor):  # (a 0-d result may be a NumPy scalar)
                    value = get_array_module(value).asarray(value)
                    old = state[key]._data.dtype
                    if value.dtype != old:  # torch updates its state in place: the dtype stays
                        value = value.astype(old)  # (bfloat16 math beside a Python float widens)
                    value = Tensor._wrap(value)
                state[key] = value
            if diff:
                p.copy_(new)
            else:
                p._data[...] = new
                self._bump(p)
