"""L-BFGS: a quasi-Newton method that builds its curvature model from the last few steps."""

from __future__ import annotations

from ..autograd import enable_grad
from ..ops.join import cat
from ..tensor import Tensor
from ._line_search import strong_wolfe
from .optimizer import Optimizer, _check, _check_lr


class LBFGS(Optimizer):
    r"""``torch.optim.LBFGS`` (Liu & Nocedal, "On the limited memory BFGS method for large scale
    optimization", Math. Programming 1989; two-loop recursion: Nocedal & Wright, "Numerical
    Optimization", Algorithm 7.4; torch's structure, after minFunc).

    All parameters are treated as one flat vector x with gradient g. One ``step(closure)`` runs
    up to ``max_iter`` iterations::

        d = -g                                          # first iteration ever
        otherwise, with s = t·d (last step) and y = g - g_prev:
            if y·s > 1e-10: remember (y, s, ρ = 1/(y·s)) (at most history_size pairs);
                            H = y·s / y·y
            q = -g;  for i newest→oldest: α_i = ρ_i·s_i·q;  q = q - α_i·y_i
            r = H·q; for i oldest→newest: β_i = ρ_i·y_i·r;  r = r + (α_i - β_i)·s_i
            d = r                                       # ≈ -(∇²f)⁻¹·g
        t = min(1, 1/Σ|g|)·lr on the very first iteration, else lr
        x = x + t·d     (t from the strong-Wolfe line search if line_search_fn="strong_wolfe")

    and stops on max_iter, max_eval closure evaluations, max|g| ≤ tolerance_grad,
    max|t·d| ≤ tolerance_change or |Δloss| < tolerance_change.

    ``closure`` (required) recomputes the loss and gradients and returns the loss. State (all on
    the first parameter, as torch): ``func_evals``, ``n_iter``, ``d``, ``t``, ``old_dirs``,
    ``old_stps``, ``ro``, ``H_diag``, ``prev_flat_grad``, ``prev_loss`` (and ``al``). Raises
    ValueError for lr < 0 or more than one parameter group, RuntimeError for an unknown
    line_search_fn.
    """

    _free_shape_state = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad",
                         "prev_loss", "al", "func_evals", "n_iter")

    def __init__(
        self,
        params,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change, history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        _check(len(self.param_groups) == 1,
               "LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ---- the parameters as one flat vector ----------------------------------------------------
    def _gather_flat_grad(self) -> Tensor:
        views = [p.new_zeros(p.numel()) if p.grad is None else p.grad.reshape(-1)
                 for p in self._params]
        return cat(views, 0)

    def _add_grad(self, step_size, update: Tensor) -> None:
        """x = x + step_size·update, parameter by parameter."""
        offset = 0
        for p in self._params:
            numel = p.numel()
            p.add_(update[offset : offset + numel].view_as(p), alpha=step_size)
            offset += numel

    def _directional_evaluate(self, closure, x, t, d):
        """(loss, flat gradient) at x + t·d; the parameters are restored to x afterwards."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            p.copy_(saved)
        return loss, flat_grad

    # ---- one step -----------------------------------------------------------------------------
    def step(self, closure):  # noqa: C901 (torch's loop, kept whole to read against the paper)
        """Up to ``max_iter`` L-BFGS iterations; returns the loss of the first closure call."""
        group = self.param_groups[0]
        lr = group["lr"]
        lr = lr.reshape(()) if isinstance(lr, Tensor) else lr
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        def evaluate():
            with enable_grad():
                return closure()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if flat_grad.abs().max() <= tolerance_grad:  # already optimal
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:  # steepest descent
                d = flat_grad.neg()
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:  # the L-BFGS direction: two-loop recursion
                y = flat_grad.sub(prev_flat_grad)
                s = d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)  # initial inverse-Hessian scale
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = flat_grad.neg()
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q.add_(old_dirs[i], alpha=-al[i])
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r.add_(old_stps[i], alpha=al[i] - be_i)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss

            # step length: a cautious first step, then lr
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)  # directional derivative
            if gtd > -tolerance_change:  # not a descent direction
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p.clone() for p in self._params]

                def obj_func(x, t, d):
                    return self._directional_evaluate(evaluate, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals,
                )
                self._add_grad(t, d)
                opt_cond = flat_grad.abs().max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:  # re-evaluate, except after the last iteration
                    loss = float(evaluate())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = flat_grad.abs().max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if d.mul(t).abs().max() <= tolerance_change:  # the step is negligible
                break
            if abs(loss - prev_loss) < tolerance_change:  # the loss stopped moving
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss
