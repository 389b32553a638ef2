"""The docs site: every ```python block of every page runs, shown output matches, every
tutorial draws at least one figure, the tutorial notebooks are generated from the pages and
execute in a Jupyter kernel, the generated "Backprop by hand" page is up to date, and
``mkdocs build --strict`` passes with the figures on the pages.

The convention for pages (what runs, what is shown output, what is a figure) is in
docs/pagerun.py, shared with the docs build (docs/hooks.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS))
import doc_coverage  # noqa: E402
import pagerun  # noqa: E402

sys.path.remove(str(DOCS))
TUTORIALS = sorted((DOCS / "tutorials").glob("*.md"))


def blocks(text: str) -> list:
    """[(code, expected_output or None, line)] for the python blocks of a page."""
    return [(b.code, b.expected, b.line) for b in pagerun.blocks(text)]


def pages() -> list:
    return sorted(p for p in DOCS.rglob("*.md") if blocks(p.read_text(encoding="utf-8")))


def _norm(s: str) -> str:
    return "\n".join(ln.rstrip() for ln in s.strip("\n").splitlines())


def run_page(path: Path, workdir: Path, figures: bool = False) -> list:
    """Execute a page's python blocks; [pagerun.Ran]."""
    try:
        return pagerun.run_page(path.read_text(encoding="utf-8"),
                                str(path.relative_to(ROOT)), workdir, figures=figures)
    except pagerun.BlockError as e:
        raise AssertionError(str(e)) from e


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_doc_page_code_runs_and_shows_its_output(page, tmp_path):
    tutorial = page.parent.name == "tutorials"
    results = run_page(page, tmp_path, figures=tutorial)
    assert results, f"{page}: no python blocks"
    for r in results:
        if r.block.expected is not None:
            assert _norm(r.printed) == _norm(r.block.expected), (
                f"{page.relative_to(ROOT)} block at line {r.block.line}: printed output differs "
                f"from the ```text block under it\n--- shown ---\n{r.block.expected}\n"
                f"--- printed ---\n{r.printed}"
            )
    if tutorial:  # a learner sees the curves, boundaries, matrices and graphs the code makes
        figs = [f for r in results for f in r.figures]
        assert figs, f"{page.name}: a tutorial should show at least one figure"
        for ext, data, _ in figs:
            assert (data[:8] == b"\x89PNG\r\n\x1a\n") if ext == "png" else b"<svg" in data
            assert len(data) > 5000, "an empty figure"


def test_every_tutorial_shows_output():
    for p in sorted((DOCS / "tutorials").glob("*.md")):
        shown = [e for _, e, _ in blocks(p.read_text(encoding="utf-8")) if e is not None]
        assert len(shown) >= 2, f"{p.name}: a tutorial should show what its code prints"


def test_block_parser_convention(tmp_path):
    page = (
        "```python\nprint(1)\n```\n\n```text\n1\n```\n```py\nnot run\n```\n```python\nx = 2\n```\n"
    )
    assert blocks(page) == [("print(1)\n", "1\n", 1), ("x = 2\n", None, 11)]
    page += (  # what a block draws: open pyplot figures, and a last expression with a picture
        "```python\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\n```\n"
        "```python\nimport torch\nfrom tinygrad_edu.inspect import draw_graph\n"
        "a = torch.ones(2, requires_grad=True)\ndraw_graph((a * 2).sum())\n```\n"
        "```python\nx + 1\n```\n"
    )
    ran = pagerun.run_page(page, "convention.md", tmp_path, figures=True)
    assert [[f[0] for f in r.figures] for r in ran] == [[], [], ["png"], ["svg"], []]
    assert ran[0].printed == "1\n" and ran[3].figures[0][2] == "computation graph"
    with pytest.raises(pagerun.BlockError, match="convention.md block at line 2"):
        pagerun.run_page("\n```python\n1 / 0\n```\n", "convention.md", tmp_path)


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


def _gen_notebooks():
    pytest.importorskip("jupytext", reason="pip install -e .[test] (jupytext makes the notebooks)")
    sys.path.insert(0, str(DOCS))
    dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        import gen_notebooks
    finally:
        sys.path.remove(str(DOCS))
        sys.dont_write_bytecode = dont_write
    return gen_notebooks


def test_notebooks_are_generated_from_the_tutorials():
    gen = _gen_notebooks()
    made = gen.generate()
    assert sorted(p.stem for p in made) == [p.stem for p in TUTORIALS]
    for path, text in made.items():
        assert path.exists() and path.read_text(encoding="utf-8") == text, (
            f"{path.name} is out of date with its tutorial: run `python docs/gen_notebooks.py`"
        )
    import nbformat

    nb = nbformat.reads(made[DOCS / "notebooks" / "000_perceptron.ipynb"], as_version=4)
    nbformat.validate(nb)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code == [b.code.rstrip("\n") for b in pagerun.blocks(TUTORIALS[0].read_text())]
    assert not any("```text" in c.source for c in nb.cells)  # shown outputs are not copied


@pytest.mark.parametrize("md", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_notebook_executes_in_a_kernel(md, tmp_path, monkeypatch):
    """Each notebook runs top to bottom in a real Jupyter kernel, prints what its page shows,
    and displays figures inline (the draw_graph picture as an image)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(DOCS / "notebooks" / f"{md.stem}.ipynb", as_version=4)
    # the kernel imports this checkout's tinygrad_edu, draws off-screen, runs one BLAS thread
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # Jupyter's
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    expected = {b.code.rstrip("\n"): b.expected for b in pagerun.blocks(md.read_text())}
    images = []
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        printed = "".join(o.get("text", "") for o in cell.outputs
                          if o.output_type == "stream" and o.name == "stdout")
        if expected.get(cell.source) is not None:
            assert _norm(printed) == _norm(expected[cell.source]), (md.name, cell.source[:60])
        images += [m for o in cell.outputs if o.output_type in ("display_data", "execute_result")
                   for m in o.get("data", {}) if m.startswith("image/")]
    assert images, f"{md.stem}.ipynb displays no figure"
    if md.stem == "002_graphs":  # draw_graph(z) as a cell's last expression: a picture
        assert "image/svg+xml" in images


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
    site = tmp_path / "site"
    assert (site / "backprop" / "index.html").exists()
    assert (site / "benchmarks" / "index.html").exists()
    for md in TUTORIALS:  # each tutorial page shows its figures and links its notebook
        page = (site / "tutorials" / md.stem / "index.html").read_text(encoding="utf-8")
        imgs = re.findall(r'<img[^>]* src="([^"]*figures/[^"]+)"', page)
        assert imgs, f"{md.stem}: no figure on the built page"
        for src in imgs:
            assert (site / "tutorials" / md.stem / src).resolve().stat().st_size > 5000, src
        assert f'href="../../notebooks/{md.stem}.ipynb"' in page
        assert (site / "notebooks" / f"{md.stem}.ipynb").exists()
    inspect_page = (site / "inspect" / "index.html").read_text(encoding="utf-8")
    svgs = re.findall(r'<img[^>]* src="([^"]*figures/inspect-\d+\.svg)"', inspect_page)
    assert len(svgs) == 2 and all(b"<svg" in (site / "inspect" / s).resolve().read_bytes()
                                  for s in svgs)


def test_public_api_is_documented():
    """The share of public callables with their own docstring stays at or above the
    ratchet in docs/doc_coverage.py (python3 docs/doc_coverage.py -v lists the rest)."""
    m = doc_coverage.measure()
    share = m["documented"] / m["total"]
    assert m["total"] > 400, m["total"]  # the walk found the API (not an empty namespace)
    assert share >= doc_coverage.THRESHOLD, (
        f"{share:.1%} of {m['total']} public callables documented, below "
        f"{doc_coverage.THRESHOLD:.0%}; undocumented: {m['undocumented'][:40]}")


def test_public_api_states_shapes_and_errors():
    """Of the public callables that take tensors, the share whose docstring states shapes
    (a ``Shapes:`` statement or a Shape section), and of those that take arguments, the share
    that names what they raise, stay at or above the ratchets in docs/doc_coverage.py
    (``python3 docs/doc_coverage.py -v`` lists the gaps)."""
    m = doc_coverage.measure()
    assert m["take_tensors"] > 900 and m["take_arguments"] > 1000, m  # the walk found the API
    shapes, raises = m["shapes"] / m["take_tensors"], m["raises"] / m["take_arguments"]
    assert shapes >= doc_coverage.SHAPES_THRESHOLD, (
        f"{shapes:.1%} of {m['take_tensors']} callables that take tensors state shapes, below "
        f"{doc_coverage.SHAPES_THRESHOLD:.0%}; missing: {m['no_shapes'][:40]}")
    assert raises >= doc_coverage.RAISES_THRESHOLD, (
        f"{raises:.1%} of {m['take_arguments']} callables that take arguments name what they "
        f"raise, below {doc_coverage.RAISES_THRESHOLD:.0%}; missing: {m['no_raises'][:40]}")


def test_doc_coverage_rules():
    """The coverage rules count real statements only: a Shapes/Raises line that points at
    another callable counts when that one states its own, and prose shapes do not count."""
    docs = {"tg.view": "Reshape. Shapes: (*) → ``shape``. Raises RuntimeError for a bad size.",
            "tg.bare": "Reshape without saying more."}
    assert doc_coverage.states_shapes("Shapes: any; the input's shape.", docs)
    assert doc_coverage.states_shapes("Foo.\n\nShape\n-----\n(N, C) -> (N,)", docs)
    assert not doc_coverage.states_shapes("(N, C, H, W) input, any shape", docs)
    assert doc_coverage.states_shapes("Shapes: as ``torch.view``.", docs)
    assert not doc_coverage.states_shapes("Shapes: as ``torch.bare``.", docs)
    assert not doc_coverage.states_shapes("Shapes: as ``torch.missing``.", docs)
    assert doc_coverage.states_raises("Raises IndexError for a dim out of range.", docs)
    assert doc_coverage.states_raises("Derivative: 1. raises RuntimeError when they differ", docs)
    assert doc_coverage.states_raises("Raises nothing (any object is accepted).", docs)
    assert not doc_coverage.states_raises("torch raises when the strides do not allow it.", docs)
    assert doc_coverage.states_raises("Raises as ``torch.view``.", docs)
    assert not doc_coverage.states_raises("Raises as ``torch.bare``.", docs)


def test_api_reference_pages_are_up_to_date():
    """docs/api/*.md are generated from the public namespaces (docs/gen_api.py): a new public
    function shows up in the API reference once the pages are regenerated."""
    sys.path.insert(0, str(DOCS))
    dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # keep docs/ clean
    try:
        import gen_api
    finally:
        sys.path.remove(str(DOCS))
        sys.dont_write_bytecode = dont_write
    pages = gen_api.pages()
    assert set(pages) >= {"tensor_ops.md", "functional.md", "nn.md", "optim.md", "autograd.md",
                          "linalg.md", "special.md"}
    for name, text in pages.items():
        assert (DOCS / "api" / name).read_text(encoding="utf-8") == text, (
            f"docs/api/{name} is out of date with the API: run `python3 docs/gen_api.py`")
    assert "::: tinygrad_edu.ops.logic.isnan" in pages["tensor_ops.md"]
    assert "::: tinygrad_edu.ops.activation.relu" in pages["functional.md"]
