"""mkdocs hooks:

- run the code of the tutorials and of the "Seeing backprop" page (docs/pagerun.py) and put
  the figures it draws (plots, computation graphs) on the page, under the block that drew
  them, as files ``figures/<page>-<n>.png|svg`` beside the page;
- link each tutorial to its Jupyter notebook (docs/notebooks/, from docs/gen_notebooks.py);
- publish the benchmark results (benchmarks/results/*.md, *.png) that the benchmark scripts
  write outside docs/, and build the Benchmarks page from whatever exists.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs"
EXECUTED = ("tutorials/", "inspect.md")  # pages whose code the build runs for its figures
sys.path.insert(0, str(DOCS))  # pagerun, beside this file
import pagerun  # noqa: E402

_FIGURES: dict = {}  # page src_uri -> {block end offset: [figure uri relative to the page]}


def _executed(src_uri: str) -> bool:
    return any(src_uri == e or (e.endswith("/") and src_uri.startswith(e)) for e in EXECUTED)


def _run_figures(config, files) -> None:
    for f in list(files.documentation_pages()):
        if not _executed(f.src_uri):
            continue
        text = Path(f.abs_src_path).read_text(encoding="utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            try:
                ran = pagerun.run_page(text, f.src_uri, tmp, figures=True)
            except pagerun.BlockError as e:
                import traceback

                where = "".join(traceback.format_exception(e.__cause__)[-3:])
                raise PluginError(f"docs/{e}\n--- where ---\n{where}") from None
        stem = Path(f.src_uri).stem
        folder = str(Path(f.src_uri).parent / "figures").lstrip("./") or "figures"
        per_block, n = {}, 0
        for r in ran:
            for ext, data, alt in r.figures:
                n += 1
                uri = f"{folder}/{stem}-{n}.{ext}"
                files.append(File.generated(config, uri, content=data))
                per_block.setdefault(r.block.end, []).append((f"figures/{stem}-{n}.{ext}", alt))
        _FIGURES[f.src_uri] = per_block


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
    _run_figures(config, files)
    if RESULTS.is_dir():
        for p in sorted(RESULTS.glob("*.png")):
            files.append(
                File.generated(config, f"benchmarks/results/{p.name}", abs_src_path=str(p))
            )
    files.append(File.generated(config, "benchmarks.md", content=benchmarks_page()))
    return files


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    per_block = _FIGURES.get(src)
    if per_block and Path(page.file.abs_src_path or "").read_text(encoding="utf-8") == markdown:
        for end in sorted(per_block, reverse=True):  # from the end: offsets stay valid
            imgs = "".join(f'\n\n![{alt}]({uri}){{ loading=lazy }}' for uri, alt in
                           per_block[end])
            markdown = markdown[:end] + imgs + markdown[end:]
    if src.startswith("tutorials/"):
        nb = f"../notebooks/{Path(src).stem}.ipynb"
        link = (f"\n\n!!! tip \"Run this page yourself\"\n    Download it as a Jupyter "
                f"notebook: [{Path(src).stem}.ipynb]({nb}) (needs `pip install "
                "tinygrad_edu[app]`).\n")
        head, sep, rest = markdown.partition("\n")  # under the page title
        markdown = head + sep + link + rest
    return markdown
