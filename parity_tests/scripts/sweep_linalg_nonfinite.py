"""Sweep: linalg ops on matrices holding nan or ±inf, tinygrad_edu against torch.

LAPACK on nan/inf input is where NumPy/SciPy and torch part ways: SciPy checks finiteness and
raises ValueError, NumPy's LinAlgError fires on a pivot that is nan, torch mostly computes
(nan results) and raises its own errors only where its kernel checks ``info``. For each op and
each input kind (one nan, one +inf, all nan, a row of inf) in float64 and float32 this prints
what each library does: the same exception type, the same values (nan where torch has nan), or
the difference.

    python3 parity_tests/scripts/sweep_linalg_nonfinite.py [OP-SUBSTRING]

About 10 seconds. Every kind it found is pinned by parity_tests/test_errors_round10.py.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import torch

import tinygrad_edu as tg

BASE = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])  # SPD, well conditioned


def inputs():
    nan1 = BASE.copy()
    nan1[1, 2] = np.nan
    inf1 = BASE.copy()
    inf1[0, 0] = np.inf
    ninf = BASE.copy()
    ninf[2, 1] = -np.inf
    row = BASE.copy()
    row[1] = np.inf
    return {"one nan": nan1, "one +inf": inf1, "one -inf": ninf, "all nan": np.full((3, 3), np.nan),
            "inf row": row}


def _rhs(m, a):
    return m.tensor(np.arange(6.0).reshape(3, 2), dtype=a.dtype)


OPS = {
    "inv": lambda m, a: m.linalg.inv(a),
    "inv_ex": lambda m, a: m.linalg.inv_ex(a),
    "det": lambda m, a: m.linalg.det(a),
    "slogdet": lambda m, a: m.linalg.slogdet(a),
    "logdet": lambda m, a: m.logdet(a),
    "solve": lambda m, a: m.linalg.solve(a, _rhs(m, a)),
    "solve_ex": lambda m, a: m.linalg.solve_ex(a, _rhs(m, a)),
    "cholesky": lambda m, a: m.linalg.cholesky(a),
    "cholesky_ex": lambda m, a: m.linalg.cholesky_ex(a),
    "cholesky_solve": lambda m, a: m.cholesky_solve(_rhs(m, a), a),
    "cholesky_inverse": lambda m, a: m.cholesky_inverse(a),
    "lu_factor": lambda m, a: m.linalg.lu_factor(a),
    "lu_factor_ex": lambda m, a: m.linalg.lu_factor_ex(a),
    "lu": lambda m, a: m.linalg.lu(a),
    "lu_solve": lambda m, a: m.linalg.lu_solve(*m.linalg.lu_factor(m.tensor(BASE, dtype=a.dtype)),
                                               _rhs(m, a) * a[0, :2]),
    "solve_triangular": lambda m, a: m.linalg.solve_triangular(a.triu(), _rhs(m, a), upper=True),
    "matrix_power(-1)": lambda m, a: m.linalg.matrix_power(a, -1),
    "matrix_power(3)": lambda m, a: m.linalg.matrix_power(a, 3),
    "matrix_exp": lambda m, a: m.linalg.matrix_exp(a),
    "pinv": lambda m, a: m.linalg.pinv(a),
    "matrix_rank": lambda m, a: m.linalg.matrix_rank(a),
    "cond": lambda m, a: m.linalg.cond(a),
    "matrix_norm fro": lambda m, a: m.linalg.matrix_norm(a),
    "matrix_norm 2": lambda m, a: m.linalg.matrix_norm(a, 2),
    "matrix_norm nuc": lambda m, a: m.linalg.matrix_norm(a, "nuc"),
    "svd": lambda m, a: m.linalg.svd(a),
    "svdvals": lambda m, a: m.linalg.svdvals(a),
    "eigh": lambda m, a: m.linalg.eigh(a),
    "eigvalsh": lambda m, a: m.linalg.eigvalsh(a),
    "qr": lambda m, a: m.linalg.qr(a),
    "lstsq": lambda m, a: m.linalg.lstsq(a, _rhs(m, a)).solution,
    "tensorinv": lambda m, a: m.linalg.tensorinv(a, 1),
    "tensorsolve": lambda m, a: m.linalg.tensorsolve(a, _rhs(m, a)[:, 0]),
    "ldl_factor": lambda m, a: m.linalg.ldl_factor(a),
    "householder_product": lambda m, a: m.linalg.householder_product(a, a[0, :2]),
    "geqrf": lambda m, a: m.geqrf(a),
    "multi_dot": lambda m, a: m.linalg.multi_dot([a, a, a]),
    "vander": lambda m, a: m.linalg.vander(a[0]),
}


def run(m, name, a):
    """("raise", type, message) or ("value", [arrays])."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", append=True)  # after the package's own filters
        try:
            out = OPS[name](m, m.tensor(a))
        except Exception as e:  # noqa: BLE001  (the type is what is compared)
            name = type(e).__name__.lstrip("_")  # torch's class is torch._C._LinAlgError
            if type(e).__module__.startswith("numpy"):
                name = "numpy." + name  # a raw NumPy exception (LinAlgError is a ValueError)
            return ("raise", name, str(e).split("\n")[0][:110]), caught
    outs = out if isinstance(out, tuple) else (out,)
    return ("value", [np.asarray(o.detach().numpy() if hasattr(o, "detach") else o)
                      for o in outs]), caught


def compare(t, g) -> str:
    if t[0] != g[0] or (t[0] == "raise" and t[1] != g[1]):
        return f"DIFF torch {t[:2]} {t[2] if t[0] == 'raise' else ''} | tg {g[:2]} " \
               f"{g[2] if g[0] == 'raise' else ''}"
    if t[0] == "raise":
        return f"same raise {t[1]}"
    if len(t[1]) != len(g[1]):
        return "DIFF number of outputs"
    for x, y in zip(t[1], g[1]):
        if x.shape != y.shape:
            return f"DIFF shape {x.shape} vs {y.shape}"
        if x.dtype.kind == "f" and not np.array_equal(np.isnan(x), np.isnan(y)):
            return f"DIFF nan placement torch {np.isnan(x).sum()} nan, tg {np.isnan(y).sum()}"
        if x.dtype.kind == "f" and not np.array_equal(np.isinf(x), np.isinf(y)):
            return "DIFF inf placement"
    return "same values' nan/inf placement"


def main() -> None:
    pick = sys.argv[1] if len(sys.argv) > 1 else ""
    diffs = 0
    for name in OPS:
        if pick not in name:
            continue
        for kind, a in inputs().items():
            for dt in ("float64", "float32"):
                arr = a.astype(dt)
                t, _ = run(torch, name, arr)
                g, warned = run(tg, name, arr)
                verdict = compare(t, g)
                if warned:
                    verdict += f" [tg warned: {warned[0].message}]"
                if verdict.startswith("DIFF") or warned:
                    diffs += 1
                    print(f"{name:20s} {kind:9s} {dt}: {verdict}")
    print(f"{diffs} differences")


if __name__ == "__main__":
    main()
