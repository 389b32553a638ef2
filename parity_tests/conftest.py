"""Shared pytest set-up: torch threads, hypothesis profiles, the ``backend`` fixture, and the
parity error log written at the end of the session.

Hypothesis profiles (pick with env ``HYPOTHESIS_PROFILE``). Both defaults are derandomized and
use no example database, so a run gives the same result every time on every machine: ``dev``
(20 examples; the default, what the README's ``python -m pytest -q`` runs) and ``ci`` (100
examples; the default when env ``CI`` is set). Random exploration is opt-in:
``HYPOTHESIS_PROFILE=explore`` (100 random examples) or ``nightly`` (1000); a failure they find
is printed with its reproduction blob and belongs in the suite as a fixed case.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

torch.set_num_threads(1)
try:  # and NumPy's BLAS: on 2 cores, threads only contend on the suite's small GEMMs
    from threadpoolctl import threadpool_limits

    _BLAS_THREADS = threadpool_limits(1)
except ImportError:  # pragma: no cover - threadpoolctl is a test extra
    _BLAS_THREADS = None

_common = dict(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
_fixed = dict(derandomize=True, database=None, print_blob=True, **_common)
settings.register_profile("ci", max_examples=100, **_fixed)
settings.register_profile("dev", max_examples=20, **_fixed)
settings.register_profile("explore", max_examples=100, print_blob=True, **_common)
settings.register_profile("nightly", max_examples=1000, print_blob=True, **_common)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

BACKENDS = ("numpy", "cupy")


def _cuda_available() -> bool:
    try:
        from tinygrad_edu.backend import cuda_available

        return bool(cuda_available())
    except Exception:  # pragma: no cover - a broken CuPy install counts as no GPU
        return False


def pytest_addoption(parser):
    parser.addoption(
        "--backend",
        action="store",
        default=None,
        choices=BACKENDS,
        help="run the parity suite on this backend only (default: all available)",
    )


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request):
    """ "numpy" always; "cupy" only with CuPy and a CUDA GPU (skipped with a reason otherwise)."""
    name = request.param
    only = request.config.getoption("--backend")
    if only and name != only:
        pytest.skip(f"--backend {only} selected")
    if name == "cupy" and not _cuda_available():
        pytest.skip("cupy backend: no CuPy or no CUDA GPU on this machine")
    return name


# ---------------------------------------------------------------------- parity error log -----
# helpers.record_error fills helpers.ERRORS; this hook writes it to
# parity_tests/.results/parity_errors.json (format documented in helpers.py).


def pytest_sessionfinish(session, exitstatus):
    from helpers import ERRORS, write_errors

    if ERRORS:
        write_errors(Path(__file__).parent / ".results" / "parity_errors.json")
