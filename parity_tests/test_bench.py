"""The benchmark harness works (CI runs it in --quick mode). No timing is asserted: benchmarks are
not timed tests; the committed numbers live in benchmarks/results/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    from tinygrad_edu.bench import main

    out = tmp_path_factory.mktemp("bench")
    assert main(["--quick", "--out", str(out)]) == 0
    return out, json.loads((out / "results.json").read_text())


def test_quick_run_writes_json_markdown_and_png(quick_run):
    out, res = quick_run
    m = res["machine"]
    for key in ("cpu", "cores", "python", "numpy", "torch", "threads"):
        assert key in m, f"machine info lacks {key}"
    assert m["threads"]["requested"] == 1 and m["threads"].get("torch") == 1
    md = (out / "results.md").read_text()
    assert "| workload |" in md and "ours / torch" in md
    png = out / "ratios.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_workload_ran_or_says_why(quick_run):
    _, res = quick_run
    keys = {w["key"] for w in res["workloads"]}
    assert {"per_op", "mlp_b128", "matmul", "softmax_ce", "adam", "lstm", "rss"} <= keys
    for w in res["workloads"]:
        if w["key"] == "rss":
            continue
        if "skipped" in w:
            assert w["skipped"], w["key"]
            continue
        r = w["results"]
        assert {"torch", "tinygrad_edu"} <= set(r), w["key"]
        for fw, t in r.items():
            assert t["median_s"] > 0 and len(t["samples_s"]) == res["reps"], (w["key"], fw)
        assert w["ratio"] == pytest.approx(
            r["tinygrad_edu"]["median_s"] / r["torch"]["median_s"]
        ), w["key"]
    # the core workloads need nothing beyond the engine: they must not be skipped
    for key in ("per_op", "matmul"):
        assert "skipped" not in next(w for w in res["workloads"] if w["key"] == key)


def test_issue_14_targets():
    from tinygrad_edu.bench.workloads import all_workloads

    t = {w.key: w.target for w in all_workloads()}
    for b in (16, 128, 1024):
        assert t[f"mlp_b{b}"] == t[f"mlp_bn_do_b{b}"] == 1.05
    got = (t["adam"], t["softmax_ce"], t["per_op"], t["cnn"], t["lstm"])
    assert got == (1.0, 1.0, 0.8, 1.3, 1.3)


def test_numpy_floor_beside_each_gemm_workload(quick_run):
    out, res = quick_run
    by = {w["key"]: w for w in res["workloads"]}
    for key in ("mlp_b16", "mlp_b128", "matmul", "cnn", "lstm"):
        w = by[key]
        if "skipped" in w:
            continue
        f = w["floor"]
        assert f["gemms"] > 0 and f["numpy_s"] > 0 and f["torch_s"] > 0, key
        assert f["ours_over_numpy_floor"] == pytest.approx(
            w["results"]["tinygrad_edu"]["median_s"] / f["numpy_s"]
        )
        assert f["numpy_over_torch_gemm"] == pytest.approx(f["numpy_s"] / f["torch_s"])
    for key in ("per_op", "softmax_ce", "adam"):  # no GEMMs: no floor, a dash in the table
        assert "floor" not in by[key]
    md = (out / "results.md").read_text()
    assert "ours / NumPy floor" in md and "NumPy / torch GEMMs" in md


def test_floor_gemm_shapes_are_the_steps():
    import numpy as np

    from tinygrad_edu.bench.floor import gemms, steps

    # MLP 784-512-256-128-10 at batch 128: 4 forward, 4 weight-grad, 3 input-grad GEMMs
    g = gemms("mlp_b128", False)
    assert len(g) == 11
    assert (128, 784, 512, False, True) in g and (512, 128, 784, True, False) in g
    assert (128, 512, 784, False, False) not in g  # the input needs no gradient
    assert len(gemms("lstm", False)) == 3 + 2 * 32 + 3 and gemms("per_op", False) == []
    # the numpy step really multiplies operands of those shapes (transposed views included)
    seen = []
    real = np.matmul

    def spy(a, b, out):
        seen.append((a.shape[0], a.shape[1], b.shape[1], a.flags.f_contiguous and not
                     a.flags.c_contiguous, b.flags.f_contiguous and not b.flags.c_contiguous))
        return real(a, b, out=out)

    np.matmul = spy
    try:
        steps(gemms("mlp_b16", True))["numpy_floor"]()
    finally:
        np.matmul = real
    assert seen == gemms("mlp_b16", True)


def test_solo_table_each_framework_in_its_own_process(quick_run):
    out, res = quick_run
    solo = res["solo"]
    for fw in ("torch", "tinygrad_edu"):
        assert "error" not in solo[fw], solo[fw]
        assert solo[fw]["threads"]["numpy_blas"], fw
    # our process timed THIS checkout's package, and torch's never imported ours
    assert Path(solo["tinygrad_edu"]["file"]).resolve().is_relative_to(ROOT)
    assert "torch" in solo["torch"]["threads"]
    ran = [w["key"] for w in res["workloads"] if w["key"] != "rss" and "skipped" not in w]
    assert set(solo["ratio"]) == set(ran)
    for k in ran:
        assert solo["ratio"][k] == pytest.approx(
            solo["tinygrad_edu"]["results"][k]["median_s"] / solo["torch"]["results"][k]["median_s"]
        )
    md = (out / "results.md").read_text()
    assert "**Each framework alone**" in md


def test_report_states_where_when_and_how_to_regenerate(quick_run):
    out, res = quick_run
    md = (out / "results.md").read_text()
    m = res["machine"]
    head = md.split("| workload |")[0]
    for v in (m["date"], m["cpu"], f"{m['cores']} cores", m["numpy"], m["torch"]):
        assert str(v) in head, v
    assert "Regenerate: `python3 -m tinygrad_edu.cli bench --quick --out" in md


def test_memory_workload_measures_each_framework_in_its_own_process(quick_run):
    _, res = quick_run
    mem = next(w for w in res["workloads"] if w["key"] == "rss")
    for fw in ("torch", "tinygrad_edu"):
        r = mem["results"][fw]
        assert "error" not in r, r
        assert r["peak_rss_mb"] >= r["import_rss_mb"] > 0
        assert r["samples"][-1][0] == r["steps"]
    # our process never imported torch: its baseline is far below torch's import alone
    assert (
        mem["results"]["tinygrad_edu"]["import_rss_mb"] < mem["results"]["torch"]["import_rss_mb"]
    )


def test_markdown_marks_targets():
    from tinygrad_edu.bench.report import markdown

    def wl(key, ratio, target, dz=None):
        res = {
            "torch": {"median": 1.0, "ratio_vs_torch": 1.0},
            "tinygrad_edu": {"median": ratio, "ratio_vs_torch": ratio},
        }
        w = {
            "key": key,
            "title": key,
            "unit": "ms",
            "target": target,
            "ratio": ratio,
            "met": None if target is None else ratio <= target,
            "results": res,
        }
        if dz:
            res["dezero"] = {"median": dz * ratio, "ratio_vs_torch": dz * ratio}
            w["speedup_vs_dezero"] = dz
        return w

    result = {
        "machine": {
            "date": "d",
            "cpu": "c",
            "cores": 2,
            "python": "3",
            "numpy": "2",
            "torch": "2",
            "peers": {},
            "threads": {"requested": 1},
        },
        "reps": 3,
        "workloads": [
            wl("fast", 0.8, 1.3, dz=4.0),
            wl("slow", 2.0, 1.5, dz=1.2),
            wl("free", 1.1, None),
        ],
    }
    md = markdown(result)
    rows = {ln.split("|")[1].strip(): ln for ln in md.splitlines() if ln.startswith("| ")}
    assert "**0.80** ✅" in rows["fast"] and "4.0× ✅" in rows["fast"]
    assert "**2.00** ❌" in rows["slow"] and "1.2× ❌" in rows["slow"]
    assert "✅" not in rows["free"] and "❌" not in rows["free"]


def test_script_wrapper_help():
    p = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run_bench.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert "--quick" in p.stdout and "--threads" in p.stdout


def test_adam_numpy_row_switches_the_kernel_off_for_its_step_only(monkeypatch):
    """The "numba kernel off" row really runs the NumPy passes (kernel() answers None inside
    its step), restores the switch afterwards, and leaves torch's step as it is."""
    import tinygrad_edu as tg
    from tinygrad_edu.bench.workloads import adam, adam_numpy_passes
    from tinygrad_edu.optim import _adam_kernel

    seen, real = [], _adam_kernel.kernel
    monkeypatch.setattr(_adam_kernel, "kernel", lambda: seen.append(real()) or seen[-1])
    off, on = adam_numpy_passes(tg, True), adam(tg, True)  # Adam() loads the kernel once
    seen.clear()
    off()
    assert seen == [None] and _adam_kernel.ENABLED
    on()
    assert seen[1] is real()  # the main row: whatever is installed (numba's kernel or None)
    import torch

    assert adam_numpy_passes(torch, True).__name__ == "step"


def test_a_quick_run_never_overwrites_the_published_results(monkeypatch):
    """``--quick`` without ``--out`` writes to benchmarks/results-quick (git-ignored), not over
    benchmarks/results, which the README cites."""
    from tinygrad_edu.bench import QUICK_OUT, main, report

    written = []
    monkeypatch.setattr(report, "write", lambda result, out, with_plot: written.append(out) or [])
    assert main(["--quick", "--only", "per_op", "--no-peers", "--no-rss", "--no-solo"]) == 0
    assert written == [QUICK_OUT]


def test_an_unknown_only_key_is_refused(capsys):
    """``--only perop`` (the key is ``per_op``) used to run nothing and write empty tables."""
    from tinygrad_edu.bench import main

    with pytest.raises(SystemExit) as err:
        main(["--quick", "--only", "perop", "--no-peers", "--no-rss", "--no-solo"])
    assert err.value.code == 2
    assert "unknown workload perop" in capsys.readouterr().err
