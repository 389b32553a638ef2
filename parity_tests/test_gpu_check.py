"""The parts of the one-shot GPU check (benchmarks/gpu_check.sh) that run without a GPU: the
script parses and plans the right commands (--dry-run), the benchmark harness runs on the
simulated device, and the report is assembled from the stages' outputs."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "gpu_check.sh"
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="no bash on this machine")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@needs_bash
def test_script_parses():
    r = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@needs_bash
def test_dry_run_plans_every_stage(tmp_path):
    r = subprocess.run(["bash", str(SCRIPT), "--dry-run", "--wheels", str(tmp_path),
                        "--python", sys.executable],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    cmds = [ln[2:] for ln in r.stdout.splitlines() if ln.startswith("+ ")]
    text = "\n".join(cmds)
    assert f"pip install --no-index --find-links {tmp_path} --no-build-isolation -e .[cuda]" \
        in text
    assert "torch" not in " ".join(c for c in cmds if "pip install" in c)  # never touches torch
    parity = [c for c in cmds if "-m pytest" in c]
    assert len(parity) == 1 and "--backend cupy" in parity[0] and "HYPOTHESIS_PROFILE=dev" \
        in parity[0] and "timeout" in parity[0]
    recipes = [c for c in cmds if "tinygrad_edu.cli train" in c]
    from tinygrad_edu import recipes as _recipes

    assert len(recipes) == len(_recipes.names()) and all("--device cuda" in c for c in recipes)
    assert any("benchmarks/gpu_bench.py" in c for c in cmds)
    assert cmds[-1].split()[1:2] == ["benchmarks/gpu_report.py"]
    assert "benchmarks/results/gpu.md" in cmds[-1]
    assert not (ROOT / "benchmarks" / "results" / "gpu.md").exists() or "gpu.md" in r.stdout


@needs_bash
def test_unknown_argument_is_refused():
    r = subprocess.run(["bash", str(SCRIPT), "--bogus"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown argument" in r.stderr


def test_recipe_list_matches_the_cli():
    from tinygrad_edu import recipes

    line = next(ln for ln in SCRIPT.read_text().splitlines() if ln.startswith("RECIPES="))
    listed = line.split("=", 1)[1].strip('"').split()
    assert sorted(listed) == sorted(recipes.names())  # mnist ships its 5,000 digits now


def test_bench_runs_on_the_simulated_device(sim_cuda):
    bench = _load("gpu_bench")
    res = bench.run("cuda", quick=True, reps=1, min_time=0.0, only=["per_op", "mlp_b8192"],
                    log=lambda *a: None)
    assert set(res) == {"per_op", "mlp_b8192", "_meta"}
    assert res["per_op"]["ours"] > 0 and res["per_op"]["torch"] is None  # no CUDA torch here
    md = bench.markdown(res)
    assert "Reference: none" in md and "simulated device" in md and "QUICK MODE" in md


def test_report_is_assembled_from_the_stages(tmp_path, monkeypatch):
    report = _load("gpu_report")
    from gpusim import known_failures

    monkeypatch.setitem(known_failures.KNOWN_FAILURES,
                        "test_ops_parity.py::test_parity[cupy-sim-add_-float32]", ("a leak", True))
    xml = tmp_path / "parity.xml"
    xml.write_text(
        '<testsuites><testsuite tests="3" failures="2" errors="0" skipped="0">'
        '<testcase classname="parity_tests.test_ops_parity" name="test_parity[cupy-add-float32]"/>'
        '<testcase classname="parity_tests.test_ops_parity" name="test_parity[cupy-add_-float32]">'
        '<failure message="TypeError: Implicit conversion">x</failure></testcase>'
        '<testcase classname="parity_tests.test_ops_parity" name="test_parity[cupy-exp-float32]">'
        '<failure message="AssertionError: exp [output 0]">x</failure></testcase>'
        "</testsuite></testsuites>"
    )
    tsv = tmp_path / "recipes.tsv"
    tsv.write_text("moons\t0\t7\tbar: test acc 0.9 >= 0.96 -> NOT met\n")
    out = tmp_path / "gpu.md"
    assert report.main(["--gpu", "H200", "--parity-xml", str(xml), "--parity-log",
                        str(tmp_path / "none.log"), "--recipes", str(tsv), "--bench",
                        str(tmp_path / "missing.md"), "--seconds", "400", "--out", str(out)]) == 0
    text = out.read_text()
    assert "1 passed, 2 failed" in text
    assert "| `test_ops_parity.py::test_parity[cupy-add_-float32]` | yes |" in text  # listed
    assert "| `test_ops_parity.py::test_parity[cupy-exp-float32]` | NO: new on the GPU |" in text
    assert "| moons | 0 | 7 |" in text
    assert "the benchmark did not finish" in text
