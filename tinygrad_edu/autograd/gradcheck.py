"""``torch.autograd.gradcheck`` and ``gradgradcheck``: the torch-API face (signature, flags,
raise or return False) of torch's slow-mode check, which lives in :mod:`._slow_gradcheck`
(``tg.inspect.gradcheck``, the kink-aware tool, builds on the same helpers there).
"""

from __future__ import annotations

from ._slow_gradcheck import GradcheckError, first_derivatives_fn, slow_gradcheck


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked=None) -> bool:
    """Check the backward of ``func`` against central finite differences, as torch's slow mode.

    For every input ``x_j`` with ``requires_grad=True`` and every output ``y_i`` that requires
    grad, the numerical Jacobian is built column by column,
    ``J[k, :] = (y_i(x_j + eps·e_k) − y_i(x_j − eps·e_k)) / (2·eps)``, and the analytical one row
    by row from vector-Jacobian products ``e_rᵀ·J`` (our backward, run twice: the two must agree
    within ``nondet_tol``). They must satisfy ``|analytical − numerical| ≤ atol + rtol·|numerical|``
    elementwise (``allclose``). Then, as torch does: a zero ``grad_output`` must give zero input
    gradients of the input's dtype and shape, and (``check_undefined_grad``) leaving an output's
    gradient out must work. With no differentiable output, the numerical Jacobian must be zero.

    Shapes: ``inputs`` is a Tensor or a tuple of arguments (non-tensors pass through);
    ``func(*inputs)`` returns a Tensor or a tuple. Dtype rule: the differences are taken in
    float64 (floating inputs are copied to float64, on their own device); a float32 input that
    requires grad gives torch's "not a double precision" UserWarning.

    Returns True when all checks pass. Raises :class:`GradcheckError` (a RuntimeError) naming
    the output and input ("Jacobian mismatch for output 0 with respect to input 0,
    numerical:... analytical:...") or returns False when ``raise_exception=False``; ValueError
    when no input requires grad; NotImplementedError for ``fast_mode``, forward-mode AD and
    batched checks (not built here).
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True")
    for flag, name in ((fast_mode, "fast_mode"), (check_forward_ad, "check_forward_ad"),
                       (check_batched_grad, "check_batched_grad"),
                       (check_batched_forward_grad, "check_batched_forward_grad")):
        if flag:
            raise NotImplementedError(f"gradcheck: {name}=True is not supported by tinygrad_edu "
                                      "(slow mode with backward AD only)")
    try:
        return slow_gradcheck(func, inputs, eps=eps, atol=atol, rtol=rtol, nondet_tol=nondet_tol,
                              check_undefined_grad=check_undefined_grad,
                              check_grad_dtypes=check_grad_dtypes)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """Check second derivatives: :func:`gradcheck` of the map ``(inputs, v) ↦ vᵀ·∂func/∂inputs``,
    whose backward is the engine's double backward (``grad(..., create_graph=True)``).

    Shapes: ``grad_outputs`` (one per output of ``func`` that requires grad, each of that
    output's shape) default to seeded random float64 tensors with ``requires_grad=True``, so the
    derivative with respect to them is checked too, as torch's does. Dtype rule and what is raised:
    as :func:`gradcheck`.
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    new_func, all_inputs = first_derivatives_fn(func, inputs, grad_outputs)
    return gradcheck(new_func, all_inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     fast_mode=fast_mode, check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev)
