"""``tinygrad_edu.special``: the ``torch.special`` namespace.

Its own functions (Bessel and Airy functions, the normal distribution's ndtr/ndtri/log_ndtr,
entr, erfcx, xlog1py, the Hurwitz zeta, the orthogonal polynomials) live in
``ops/special_fns.py``, ``ops/bessel.py`` and ``ops/polynomials.py``; the rest are torch's
aliases of ops the package root already has (``special.expit`` is ``sigmoid``,
``special.gammaln`` is ``lgamma``, ``special.gammainc``/``gammaincc`` are ``igamma``/``igammac``,
``special.psi`` is ``digamma`` ...). Same names, signatures and values as torch.special.
"""

from __future__ import annotations

from .ops.activation import log_softmax, softmax
from .ops.activation import sigmoid as expit
from .ops.bessel import (
    airy_ai,
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    spherical_bessel_j0,
)
from .ops.exp_log import exp2, expm1, logit
from .ops.gamma import digamma, erfc, erfinv, i0, polygamma
from .ops.gamma import lgamma as gammaln
from .ops.gamma import mvlgamma as multigammaln
from .ops.pointwise import igamma as gammainc
from .ops.pointwise import igammac as gammaincc
from .ops.pointwise import xlogy
from .ops.polynomials import (
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    hermite_polynomial_h,
    hermite_polynomial_he,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
)
from .ops.reduce import logsumexp
from .ops.rounding import round as _round
from .ops.special_fns import entr, erfcx, i0e, i1, i1e, log_ndtr, ndtr, ndtri, xlog1py, zeta
from .ops.trig import sinc
from .ops.unary import erf, log1p

psi = digamma  # torch's alias

__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma",
    "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
    "gammaincc", "gammaln",
    "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e", "i1", "i1e",
    "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax",
    "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
    "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w", "sinc", "softmax", "spherical_bessel_j0", "xlog1py",
    "xlogy",
    "zeta",
]


def round(input, *, decimals=0, out=None):
    """``torch.special.round``: ``torch.round`` with ``decimals`` always passed (0 by default),
    so an integer tensor raises NotImplementedError as in torch (``torch.round`` copies it)."""
    return _round(input, decimals=decimals, out=out)
