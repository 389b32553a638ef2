"""IEEE special values without NumPy's RuntimeWarnings, at no cost per call.

torch computes inf − inf = nan, 0·inf = nan and 1e38·1e38 = inf silently; NumPy computes the
same values and also warns ("invalid value encountered in subtract"). Most ops silence NumPy
with ``_util.quiet()`` (``np.errstate``), which costs about 1 µs per call: four times a 4×4
addition. The hottest ops (+, −, × and matmul, softmax's max subtraction) instead register a
warnings filter once, at import, for exactly those messages raised from their own module.

The filter is *appended*, so a filter the user sets (``warnings.simplefilter("error")``, before
or after importing tinygrad_edu) still wins: asking for errors gets errors. The test suite
asks for errors on every RuntimeWarning from tinygrad_edu (pyproject.toml) and lists the same
messages as expected IEEE results there; parity_tests/test_no_numpy_warnings.py checks that a
user with Python's default filters sees none.
"""

from __future__ import annotations

import re
import warnings

MESSAGE = "(invalid value|overflow|divide by zero) encountered in ({ufuncs})"


def silence_ieee_warnings(module: str, *ufuncs: str) -> None:
    """Ignore NumPy's IEEE RuntimeWarnings for ``ufuncs`` (NumPy's names: ``add``,
    ``subtract``, ``multiply``, ``matmul`` ...) raised while ``module`` runs."""
    warnings.filterwarnings("ignore", message=MESSAGE.format(ufuncs="|".join(ufuncs)),
                            category=RuntimeWarning, module=re.escape(module) + r"\Z",
                            append=True)
