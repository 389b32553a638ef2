"""Shrink a failing case to a minimal reproduction, and name a failure's signature.

Greedy: each step tries a smaller case (a contiguous layout, one dim of one input cut to a single
index, a leading size-1 dim dropped, the backward removed) and keeps it if it still fails with
the same signature. Inputs are cut independently; broadcasting keeps most cuts valid and the
ones that are not simply fail differently and are dropped.
"""

from __future__ import annotations

import copy

import numpy as np

from .draw import source
from .run import run_pair

_SPECIAL = ("special.", "polygamma", "digamma", "lgamma", "i0", "igamma", "mvlgamma", "erfinv")


# max/min-like ops: torch's ±0 ties differ between its scalar and vector loops (maximum(0., -0.)
# is 0. for 2 elements, -0. for 16), so the sign of a zero result is not compared
_ZERO_TIES = {"maximum", "minimum", "fmax", "fmin", "clamp", "clip", "clamp_min", "clamp_max",
              "amax", "amin", "max", "min", "aminmax", "cummax", "cummin", "median", "nanmedian",
              "F.softshrink", "F.hardtanh", "F.hardshrink", "F.threshold", "F.relu", "relu"}


def check_case(case: dict, ours):
    """(Mismatch or None, torch's snapshot, ours) for ``case``; special functions get 30× the
    tolerances (torch's Cephes float32 kernels sit a few ulps from SciPy's, more near zeros)."""
    loose = 30.0 if case["op"].startswith(_SPECIAL) else 1.0
    return run_pair(source(case), ours, loose, case["op"] not in _ZERO_TIES)


def signature(case: dict, m) -> str:
    """``category|op|variant`` plus, for exceptions, torch's and our exception class."""
    extra = ""
    if m.category == "exception":
        extra = "|" + m.expected.split(" ")[0] + "->" + m.actual.split(" ")[0]
    return f"{m.category}|{case['op']}|{case['variant']}{extra}"


def dtype_signature(case: dict) -> str:
    return ",".join(f"{i['name']}:{i['dtype']}{list(i['shape'])}" for i in case["inputs"])


def _cuts(case):
    for k, inp in enumerate(case["inputs"]):
        if inp.get("layout", "contig") != "contig":
            c = copy.deepcopy(case)
            c["inputs"][k]["layout"] = "contig"
            yield c
    if case.get("grad"):
        c = copy.deepcopy(case)
        c["grad"] = False
        for i in c["inputs"]:
            i["grad"] = False
        yield c
    for k, inp in enumerate(case["inputs"]):
        shape = list(inp["shape"])
        if inp["name"] == "o" or 0 in shape:
            continue
        arr = np.array(inp["data"], dtype=object).reshape(shape) if shape else None
        if shape and shape[0] == 1:
            c = copy.deepcopy(case)
            c["inputs"][k]["shape"] = shape[1:]
            c["inputs"][k]["data"] = list(arr.reshape(-1))
            yield c
        for d, n in enumerate(shape):
            if n <= 1:
                continue
            for j in range(n):
                c = copy.deepcopy(case)
                sub = np.take(arr, [j], axis=d)
                c["inputs"][k]["shape"] = list(sub.shape)
                c["inputs"][k]["data"] = list(sub.reshape(-1))
                yield c


def shrink(case: dict, ours, sig: str, budget: int = 300) -> dict:
    """The smallest case found within ``budget`` runs that fails with signature ``sig``."""
    best, tries, improved = case, 0, True
    while improved and tries < budget:
        improved = False
        for c in _cuts(best):
            tries += 1
            if tries > budget:
                break
            try:
                m, _, _ = check_case(c, ours)
            except Exception:  # noqa: BLE001 - a cut that breaks the harness is just not kept
                continue
            if m is not None and signature(c, m) == sig:
                best, improved = c, True
                break
    return best
