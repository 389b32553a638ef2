"""mkdocs hook: publish the benchmark results (benchmarks/results/*.md, *.png) that the
benchmark scripts write outside docs/, and build the Benchmarks page from whatever exists."""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def benchmarks_page() -> str:
    lines = [
        "# Benchmarks",
        "",
        "Speed of tinygrad_edu against torch (CPU) and other NumPy engines, measured by "
        "`tinygrad-edu bench` (scripts in `benchmarks/`). The tables and plots below are "
        "copied from `benchmarks/results/` at build time.",
        "",
    ]
    mds = sorted(RESULTS.glob("*.md")) if RESULTS.is_dir() else []
    pngs = sorted(RESULTS.glob("*.png")) if RESULTS.is_dir() else []
    if not mds and not pngs:
        lines.append(
            "!!! note\n    No benchmark results are committed yet: run "
            "`tinygrad-edu bench` to produce `benchmarks/results/`."
        )
    for p in pngs:
        lines += [f"![{p.stem}](benchmarks/results/{p.name})", ""]
    for p in mds:
        text = p.read_text(encoding="utf-8")
        for img in pngs:  # images referenced next to the table move with it
            text = text.replace(f"]({img.name})", f"](benchmarks/results/{img.name})")
        body = "\n".join(("#" + ln) if ln.startswith("#") else ln for ln in text.splitlines())
        lines += [f"## {p.stem}", "", body, ""]
    return "\n".join(lines) + "\n"


def on_files(files, config):
    if RESULTS.is_dir():
        for p in sorted(RESULTS.glob("*.png")):
            files.append(
                File.generated(config, f"benchmarks/results/{p.name}", abs_src_path=str(p))
            )
    files.append(File.generated(config, "benchmarks.md", content=benchmarks_page()))
    return files
