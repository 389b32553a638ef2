"""Generate docs/notebooks/*.ipynb from the tutorials (docs/tutorials/*.md) with jupytext.

    python docs/gen_notebooks.py          # (re)write the notebooks
    python docs/gen_notebooks.py --check  # exit 1 if a notebook is out of date

The tutorial pages are the single source: each ```python block becomes a code cell, the prose
between them markdown cells, and the ```text blocks (the output the page shows) are dropped,
since running the notebook prints that output itself. The notebooks are committed without
outputs; the tests execute them (parity_tests/test_docs.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
TUTORIALS = DOCS / "tutorials"
NOTEBOOKS = DOCS / "notebooks"
TEXT_BLOCK = re.compile(r"\A```text\n.*?^```[ \t]*\n?", re.M | re.S)


def notebook(md_path: Path):
    """The notebook (an ``nbformat`` NotebookNode) of one tutorial page."""
    import jupytext
    import nbformat

    nb = jupytext.reads(md_path.read_text(encoding="utf-8"), fmt="md")
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cells and cells[-1].cell_type == "code":
            cell.source = TEXT_BLOCK.sub("", cell.source).lstrip("\n")  # a block's output
        if cell.source.strip():
            cells.append(cell)
    src = md_path.relative_to(DOCS.parent).as_posix()
    note = nbformat.v4.new_markdown_cell(
        f"*Generated from [`{src}`](../tutorials/{md_path.name}) by `docs/gen_notebooks.py`; "
        "edit the page, not this notebook. Needs `pip install tinygrad_edu[app]`.*"
    )
    title, _, rest = cells[0].source.partition("\n\n")  # the note goes under the title
    first = [nbformat.v4.new_markdown_cell(title)] + (
        [nbformat.v4.new_markdown_cell(rest)] if rest.strip() else [])
    out = nbformat.v4.new_notebook()
    out.cells = [first[0], note] + first[1:] + cells[1:]
    for i, cell in enumerate(out.cells):  # stable ids: the file only changes with the page
        cell.id = f"{md_path.stem}-{i}"
        cell.metadata = {}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    out.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return out


def generate() -> dict:
    """{notebook path: its text} for every tutorial."""
    import nbformat

    return {
        NOTEBOOKS / (p.stem + ".ipynb"): nbformat.writes(notebook(p)) + "\n"
        for p in sorted(TUTORIALS.glob("*.md"))
    }


def main(argv: list[str]) -> int:
    stale = []
    for path, text in generate().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if "--check" not in argv:
                path.parent.mkdir(exist_ok=True)
                path.write_text(text, encoding="utf-8")
    if "--check" in argv and stale:
        names = ", ".join(p.name for p in stale)
        print(f"out of date: {names} (run python docs/gen_notebooks.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
