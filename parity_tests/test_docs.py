"""The docs site: every ```python block of every page runs, shown output matches, the
generated "Backprop by hand" page is up to date, and ``mkdocs build --strict`` passes.

Convention for pages (docs/**/*.md):

- a fenced block whose info string is exactly ``python`` is executed; the blocks of one page
  run in order and share one namespace (like a notebook), with the working directory set to
  a temporary folder;
- a ```` ```text ```` block right after a python block (blank lines allowed between) is the
  output that block prints, compared exactly (trailing spaces ignored);
- any other block (```` ```py ````, ```` ```bash ````, ...) is shown but not run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)


def blocks(text: str) -> list:
    """[(code, expected_output or None, line)] for the python blocks of a page."""
    found = [(m.group(1).strip(), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    out = []
    for k, (info, body, start, end) in enumerate(found):
        if info != "python":
            continue
        expected = None
        if k + 1 < len(found) and found[k + 1][0] == "text":
            if text[end : found[k + 1][2]].strip() == "":
                expected = found[k + 1][1]
        out.append((body, expected, text.count("\n", 0, start) + 1))
    return out


def pages() -> list:
    return sorted(p for p in DOCS.rglob("*.md") if blocks(p.read_text(encoding="utf-8")))


def _norm(s: str) -> str:
    return "\n".join(ln.rstrip() for ln in s.strip("\n").splitlines())


def run_page(path: Path, workdir: Path) -> list:
    """Execute a page's python blocks; [(line, expected, actual)]."""
    ns: dict = {"__name__": "__docs__"}
    results = []
    old = os.getcwd()
    os.chdir(workdir)
    try:
        for code, expected, line in blocks(path.read_text(encoding="utf-8")):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                try:
                    exec(compile(code, f"{path.name}:{line}", "exec"), ns)  # noqa: S102
                except Exception as e:
                    raise AssertionError(
                        f"{path.relative_to(ROOT)} block at line {line} raised "
                        f"{type(e).__name__}: {e}\n--- code ---\n{code}"
                    ) from e
            results.append((line, expected, buf.getvalue()))
    finally:
        os.chdir(old)
    return results


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_doc_page_code_runs_and_shows_its_output(page, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    results = run_page(page, tmp_path)
    assert results, f"{page}: no python blocks"
    for line, expected, actual in results:
        if expected is not None:
            assert _norm(actual) == _norm(expected), (
                f"{page.relative_to(ROOT)} block at line {line}: printed output differs from "
                f"the ```text block under it\n--- shown ---\n{expected}\n--- printed ---\n"
                f"{actual}"
            )


def test_every_tutorial_shows_output():
    for p in sorted((DOCS / "tutorials").glob("*.md")):
        shown = [e for _, e, _ in blocks(p.read_text(encoding="utf-8")) if e is not None]
        assert len(shown) >= 2, f"{p.name}: a tutorial should show what its code prints"


def test_block_parser_convention():
    page = (
        "```python\nprint(1)\n```\n\n```text\n1\n```\n```py\nnot run\n```\n```python\nx = 2\n```\n"
    )
    assert blocks(page) == [("print(1)\n", "1\n", 1), ("x = 2\n", None, 11)]


def test_backprop_page_is_up_to_date():
    sys.path.insert(0, str(DOCS))
    dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # keep docs/ clean
    try:
        import gen_backprop
    finally:
        sys.path.remove(str(DOCS))
        sys.dont_write_bytecode = dont_write
    text = gen_backprop.generate()
    assert (DOCS / "backprop.md").read_text(encoding="utf-8") == text, (
        "docs/backprop.md is out of date with the ops: run `python docs/gen_backprop.py`"
    )
    from tinygrad_edu.inspect.rules import all_functions

    for fn in all_functions():  # every op has a section, and its gradcheck did not fail
        assert f"### {fn.__name__.lstrip('_')}\n" in text, fn.__name__
    assert "✗ FAILED" not in text and "could not run" not in text
    assert text.count("✓ passed") >= 50


def test_mkdocs_build_strict(tmp_path):
    exe = shutil.which("mkdocs")
    if exe is None:
        pytest.skip("mkdocs is not installed (pip install mkdocs-material mkdocstrings[python])")
    for plugin in ("material", "mkdocstrings", "mkdocstrings_handlers.python"):
        pytest.importorskip(plugin, reason=f"{plugin} is not installed (pip install -e .[docs])")
    r = subprocess.run(
        [exe, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, f"mkdocs build --strict failed:\n{r.stdout}\n{r.stderr}"
    assert (tmp_path / "site" / "backprop" / "index.html").exists()
    assert (tmp_path / "site" / "benchmarks" / "index.html").exists()
