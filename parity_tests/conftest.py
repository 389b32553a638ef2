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

# ---------------------------------------------------------------- backend selection -----
# "cupy" runs on the real CuPy when a GPU is visible, else on the simulated device of
# parity_tests/gpusim (a strict NumPy-backed CuPy stand-in, docs/gpu.md), so the CUDA path is
# tested on every CI run. The header and the test ids say which ("cupy" vs "cupy-sim").
BACKENDS = ("numpy", "cupy")


def _cuda_available() -> bool:
    try:
        from tinygrad_edu.backend import cuda_available

        return bool(cuda_available())
    except Exception:  # pragma: no cover - a broken CuPy install counts as no GPU
        return False


_REAL_GPU = _cuda_available()  # decided once, before any simulation is installed


def _cupy_mode(config) -> str:
    """"gpu" (real CuPy), "sim" (gpusim) or "off" (cupy half skipped: --gpusim off)."""
    if _REAL_GPU:
        return "gpu"
    return "off" if config.getoption("--gpusim") == "off" else "sim"


def pytest_addoption(parser):
    parser.addoption(
        "--backend",
        action="store",
        default=None,
        choices=BACKENDS,
        help="run the parity suite on this backend only (default: all available); "
        "cupy is the real GPU when one is visible, else the simulated device",
    )
    parser.addoption(
        "--gpusim",
        action="store",
        default="auto",
        choices=("auto", "off"),
        help="without a GPU, run the cupy half on the simulated device (auto, default) or "
        "skip it (off)",
    )


def pytest_report_header(config):
    mode = _cupy_mode(config)
    if mode == "gpu":
        from tinygrad_edu.backend import _cp

        return f"backend cupy: real CuPy {_cp.__version__} on a CUDA GPU"
    if mode == "sim":
        import gpusim

        return f"backend cupy: {gpusim.describe()}"
    return "backend cupy: skipped (no GPU, --gpusim off)"


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        sim = _cupy_mode(metafunc.config) == "sim"
        metafunc.parametrize(
            "backend", BACKENDS, indirect=True, scope="session",
            ids=["numpy", "cupy-sim" if sim else "cupy"],
        )


def pytest_collection_modifyitems(config, items):
    """Simulated run: mark the tests of gpusim/known_failures.py (the ONE list of leaks left in
    code this suite may not change, each with its file:line and cause) as xfail."""
    if _cupy_mode(config) != "sim":
        return
    from gpusim.known_failures import lookup

    for item in items:
        known = lookup(item.nodeid)
        if known is not None:
            reason, strict = known
            item.add_marker(pytest.mark.xfail(strict=strict, reason=reason))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    """Keep hypothesis' settings chain flat. Its pytest plugin wraps a parametrized test's
    settings in ``Settings(parent=<previous>)`` on every call, and the cases of one test
    function share that attribute, so the chain grows by one per case; the cupy half doubles
    test_parity's ~540 cases and ``settings.database`` then overflows the recursion limit."""
    fn = getattr(item, "obj", None)
    fn = getattr(fn, "__func__", fn)
    saved = getattr(fn, "_hypothesis_internal_use_settings", None)
    yield
    if saved is not None:
        fn._hypothesis_internal_use_settings = saved


@pytest.fixture(scope="session")
def backend(request):
    """ "numpy" always; "cupy" on the real GPU, or on the simulated device without one."""
    name = request.param
    only = request.config.getoption("--backend")
    if only and name != only:
        pytest.skip(f"--backend {only} selected")
    if name == "cupy" and _cupy_mode(request.config) == "off":
        pytest.skip("cupy backend: no CUDA GPU on this machine and --gpusim off")
    return name


@pytest.fixture
def sim_cuda():
    """The simulated device behind device="cuda" for one test (real GPU: skipped, these tests
    assert on the simulation's transfer log). Yields the gpusim package."""
    if _REAL_GPU:
        pytest.skip("a real GPU is present: the gpusim transfer tests run only without one")
    import gpusim

    previous = gpusim.install()
    try:
        yield gpusim
    finally:
        gpusim.uninstall(previous)


@pytest.fixture
def any_cuda():
    """device="cuda" for one test: the real GPU when one is visible, else the simulated one.
    Yields the gpusim package on the simulation (exact CPU numbers expected), None on a GPU."""
    if _REAL_GPU:
        yield None
        return
    import gpusim

    previous = gpusim.install()
    try:
        yield gpusim
    finally:
        gpusim.uninstall(previous)


@pytest.fixture(autouse=True)
def _cupy_sim_for_cupy_tests(request):
    """Install the simulated device for exactly the tests parametrized with backend="cupy"
    (and only while each runs, so no other test sees a "GPU")."""
    if "backend" not in request.fixturenames or _REAL_GPU:
        yield
        return
    if request.node.callspec.params.get("backend") != "cupy":
        yield
        return
    import gpusim

    previous = gpusim.install()
    try:
        yield
    finally:
        gpusim.uninstall(previous)


@pytest.fixture(autouse=True)
def _default_dtype_float32():
    """Every test starts and ends with float32 as the default dtype of both libraries. The
    default is process-global (``set_default_dtype``, as torch's), so a test that sets float64
    and fails before restoring it would otherwise change the dtypes of every later test."""
    tg = sys.modules.get("tinygrad_edu")
    for lib in (torch, tg):
        if lib is not None and lib.get_default_dtype() is not lib.float32:
            lib.set_default_dtype(lib.float32)
    yield
    tg = sys.modules.get("tinygrad_edu")
    for lib in (torch, tg):
        if lib is not None and lib.get_default_dtype() is not lib.float32:
            lib.set_default_dtype(lib.float32)


# ---------------------------------------------------------------------- parity error log -----
# helpers.record_error fills helpers.ERRORS; this hook writes it to
# parity_tests/.results/parity_errors.json (format documented in helpers.py).


def pytest_sessionfinish(session, exitstatus):
    from helpers import ERRORS, write_errors

    if ERRORS:
        write_errors(Path(__file__).parent / ".results" / "parity_errors.json")
