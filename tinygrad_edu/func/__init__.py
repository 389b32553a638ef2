"""``tg.func``: torch.func's function transforms on tinygrad_edu's autograd.

- ``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``
  (``transforms.py``: each a function of a function, built on ``autograd.grad``);
- ``vmap`` (``vmap.py``: a loop over the mapped dimension, results stacked);
- ``functional_call`` (``functional_call.py``: a module run with other parameters).

They compose: ``vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)`` gives per-sample
gradients, ``jacrev(jacrev(f))`` second derivatives.
"""

from __future__ import annotations

from .functional_call import functional_call
from .transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp
from .vmap import vmap

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "functional_call", "vmap"]
