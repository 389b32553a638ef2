#!/usr/bin/env python
"""Assemble ``benchmarks/results/gpu.md`` from the stages of ``benchmarks/gpu_check.sh``: the
parity run's JUnit XML, the recipes' table, the benchmark's Markdown. Missing pieces (a stage
that timed out or failed) are reported as such, never invented."""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "parity_tests"))


def parity_section(xml_path: Path, log_path: Path) -> list[str]:
    lines = ["## Parity suite, cupy half on the real GPU (`pytest --backend cupy`, dev profile)",
             ""]
    if not xml_path.is_file():
        tail = log_path.read_text().strip().splitlines()[-3:] if log_path.is_file() else []
        return lines + ["No result: the run did not finish (timeout or crash).", ""] + \
            [f"    {t}" for t in tail] + [""]
    root = ET.parse(xml_path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    n = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    passed = n["tests"] - n["failures"] - n["errors"] - n["skipped"]
    lines.append(f"{passed} passed, {n['failures']} failed, {n['errors']} errors, "
                 f"{n['skipped']} skipped (of {n['tests']}).")
    failed = []
    for case in suite.iter("testcase"):
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        if bad is not None:
            msg = (bad.get("message") or "").splitlines()[0][:160]
            failed.append((f"{case.get('classname', '').rsplit('.', 1)[-1]}.py::"
                           f"{case.get('name')}", msg))
    if failed:
        try:
            from gpusim.known_failures import lookup
        except ImportError:  # pragma: no cover - run from an unusual place
            lookup = None  # noqa: N806
        lines += ["", "| failed test | known leak (gpusim/known_failures.py)? | message |",
                  "|---|---|---|"]
        for name, msg in failed:
            sim_id = name.replace("[cupy-", "[cupy-sim-")
            known = lookup(sim_id) if lookup else None
            lines.append(f"| `{name}` | {'yes' if known else 'NO: new on the GPU'} | "
                         f"{msg.replace('|', '/')} |")
    return lines + [""]


def recipes_section(tsv: Path) -> list[str]:
    lines = ["## Recipes with `--device cuda` (2 epochs each)", ""]
    if not tsv.is_file() or not tsv.read_text().strip():
        return lines + ["No result.", ""]
    lines += ["| recipe | exit | seconds | last line |", "|---|---:|---:|---|"]
    for row in tsv.read_text().strip().splitlines():
        name, rc, secs, last = (row.split("\t") + ["", "", ""])[:4]
        lines.append(f"| {name} | {rc} | {secs} | {last.replace('|', '/')} |")
    return lines + ["", "(2 epochs are a smoke run: the bars are met by the full default runs.)",
                    ""]


def bench_section(md: Path) -> list[str]:
    lines = ["## Benchmark: tinygrad_edu on CuPy vs torch CUDA eager (synchronized)", ""]
    if not md.is_file():
        return lines + ["No result: the benchmark did not finish (see bench.log).", ""]
    return lines + md.read_text().strip().splitlines() + [""]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--gpu", default="unknown GPU")
    p.add_argument("--parity-xml", type=Path, required=True)
    p.add_argument("--parity-log", type=Path, required=True)
    p.add_argument("--recipes", type=Path, required=True)
    p.add_argument("--bench", type=Path, required=True)
    p.add_argument("--seconds", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/gpu.md"))
    a = p.parse_args(argv)
    lines = ["# GPU check (benchmarks/gpu_check.sh)", "",
             f"GPU: {a.gpu}. Whole run: {a.seconds} s.", ""]
    lines += parity_section(a.parity_xml, a.parity_log)
    lines += recipes_section(a.recipes)
    lines += bench_section(a.bench)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(lines))
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
