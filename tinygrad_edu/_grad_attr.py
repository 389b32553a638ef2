"""``Tensor.grad`` and ``Tensor.requires_grad`` as properties whose setters check what is
assigned, as torch's do.

``x.grad = g`` must hand the optimizers a gradient they can use in place of the engine's:

- ``g`` is a Tensor or None, else TypeError;
- ``g`` is not ``x`` itself, else RuntimeError;
- ``g.dtype`` equals ``x.dtype``, then ``g`` is on ``x``'s device, then ``g.shape`` equals
  ``x.shape`` (in that order), else RuntimeError with torch's message.

The engine, hooks and optimizers assign through the same setter; their gradients always pass.

``x.requires_grad = b`` (torch's ``THPVariable_set_requires_grad``), checked in this order:

- ``b`` is a bool, else RuntimeError "requires_grad must be a bool";
- ``x`` is a leaf (no grad_fn), else RuntimeError;
- ``b`` is False or ``x`` is floating, else RuntimeError "only Tensors of floating point and
  complex dtype can require gradients" (an integer or bool tensor has no gradient).

Reading costs one C call (``attrgetter``); the engine writes the ``_rg`` slot directly.
"""

from __future__ import annotations

from operator import attrgetter

from .dtype import cpp_type_name, kind_of, torch_type_name


class VIEW_HOOKS:
    """What autograd/views.py lends this module (set there on import; this module sits below
    autograd, so it does not import it): whether a view inherits requires_grad from its base,
    making a base's views follow it, and the name of a view op."""

    inherits_requires_grad = staticmethod(lambda t: False)
    follow_base = staticmethod(lambda t: None)
    view_op_name = staticmethod(lambda node: type(node).__name__)


def not_differentiable(tensor) -> str:
    """torch's message for requires_grad=True on an integer/bool tensor (with its dtype)."""
    return (f"only Tensors of floating point and complex dtype can require gradients "
            f"(got {tensor.dtype})")


def leaf_only(value: bool) -> str:
    """torch's ``requires_grad_leaf_error``: a non-leaf's flag follows its inputs."""
    msg = "you can only change requires_grad flags of leaf variables."
    if not value:
        msg += (" If you want to use a computed variable in a subgraph that doesn't require "
                "differentiation use var_no_grad = var.detach().")
    return msg


def check_assigned_grad(tensor, grad, tensor_cls) -> None:
    """Raise as torch's ``THPVariable_set_grad`` when ``grad`` may not be ``tensor.grad``."""
    if not isinstance(grad, tensor_cls):
        cls = type(grad)  # named as CPython's tp_name: 'list', 'numpy.ndarray'
        name = cls.__qualname__ if cls.__module__ == "builtins" else (
            f"{cls.__module__}.{cls.__qualname__}")
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                        f"{name}")
    if grad is tensor:
        raise RuntimeError("can't assign Variable as its own grad")
    gd, td = grad._data.dtype, tensor._data.dtype
    if gd != td:
        g, t = grad.dtype, tensor.dtype
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{cpp_type_name(g)}' to a "
            f"tensor with grad_dtype '{torch_type_name(t)}'. The gradient must match the "
            "tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's "
            "grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
            "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may "
            "break downstream systems that assume they match.")
    if type(grad._data) is not type(tensor._data):  # NumPy vs CuPy: cpu vs cuda
        raise RuntimeError(
            f"attempting to assign a gradient with device type '{grad.device.type}' to a tensor "
            f"with device type '{tensor.device.type}'. Please ensure that the gradient and the "
            "tensor are on the same device")
    if grad._data.shape != tensor._data.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(grad._data.shape)}' to a tensor of "
            f"size '{list(tensor._data.shape)}'. Please ensure that the gradient and the tensor "
            "are the same size")


def grad_property(tensor_cls) -> property:
    """The ``grad`` property of ``tensor_cls`` (stored in the ``_grad`` slot)."""

    def get(self):
        return self._grad

    def set_(self, value) -> None:
        if value is not None:
            check_assigned_grad(self, value, tensor_cls)
        self._grad = value

    def delete(self) -> None:  # torch: ``del x.grad`` sets it to None
        self._grad = None

    return property(get, set_, delete, "The gradient accumulated by backward() (a leaf's, or a "
                    "retained one), or None. Assigning checks type, dtype, device and size as "
                    "torch (see tinygrad_edu/_grad_attr.py).")


def _set_requires_grad(self, value) -> None:
    if value is not True and value is not False:
        raise RuntimeError("requires_grad must be a bool")
    if getattr(self, "_node", None) is not None:  # (unset while the engine builds a tensor)
        raise RuntimeError(leaf_only(value))
    if value and kind_of(self._data.dtype) != "f":
        raise RuntimeError(not_differentiable(self))
    set_requires_grad_flag(self, value)


def set_requires_grad_flag(t, value: bool) -> None:
    """Set a leaf's own requires_grad flag (after the checks). A view's requires_grad is also
    its base's (torch's ``DifferentiableViewMeta::requires_grad()`` is ``requires_grad_ ||
    grad_fn_ || base.requires_grad()``, torch/csrc/autograd/variable.h): a view that only
    inherits it keeps it on ``requires_grad_(False)``, and gets its own flag (and its own
    AccumulateGrad) on ``requires_grad_(True)``; the views of ``t`` follow ``t``
    (autograd/views.py)."""
    if VIEW_HOOKS.inherits_requires_grad(t):
        if not value:
            return
        t._accum = None
    t._rg = value
    VIEW_HOOKS.follow_base(t)


def requires_grad_property() -> property:
    """The ``requires_grad`` property (stored in the ``_rg`` slot)."""
    return property(attrgetter("_rg"), _set_requires_grad, None,
                    "Whether backward() records gradients for this tensor (a bool). Assigning "
                    "checks as torch: a bool, on a leaf, True only for floating dtypes "
                    "(RuntimeError otherwise; see tinygrad_edu/_grad_attr.py).")


def detach_in_place(t):
    """``t.detach_()``: ``t`` becomes a leaf that does not require grad, and its views without a
    grad_fn follow. (torch also refuses a view, "Can't detach views in-place": not copied here,
    since ours marks as views the results of composite ops that torch returns as new tensors,
    ``x.min(0).values`` among them.)"""
    t._node = None
    set_requires_grad_flag(t, False)
    return t


def data_to_assign(t, data):
    """``t.data = value``'s array, after torch's check (``THPVariable_set_data``): a tensor that
    requires grad takes only floating data (RuntimeError otherwise)."""
    if t._rg and kind_of(data.dtype) not in "fc":
        raise RuntimeError("data set to a tensor that requires gradients must be floating point "
                           "or complex dtype")
    return data


def view_grad_fn(t):
    """A view's grad_fn, or torch's RuntimeError for an output of split/chunk/unbind (or a view of
    one) whose storage was written since it was made: torch cannot regenerate its grad_fn
    (``handle_view_on_rebase``, creation_meta MULTI_OUTPUT_NODE), so reading ``grad_fn`` or
    ``is_leaf`` raises (autograd/views.py marks the outputs with the version they were made at)."""
    vc = t._vc
    if vc is not None and t._rg:
        for node in t._view[1]:
            mark = node.__dict__.get("multi_output_piece")
            if mark and vc[0] != mark[0]:
                op = VIEW_HOOKS.view_op_name(t._view[1][-1])
                raise RuntimeError(
                    f"Output 0 of {op} is a view and its base or "
                    "another view of its base has been modified inplace. This view is the output "
                    "of a function that returns multiple views. Such functions do not allow the "
                    "output views to be modified inplace. You should replace the inplace "
                    "operation by an out-of-place one.")
    return t._node
