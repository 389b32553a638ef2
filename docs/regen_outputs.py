"""Rewrite the ```text output blocks of the doc pages with what their code prints now.

    python docs/regen_outputs.py [page.md ...]   # default: every page that has output blocks

For after a change that alters printed output (e.g. node names): run it, then read the diff —
every changed line is a changed behaviour to account for. The tests check the pages as they
are (parity_tests/test_docs.py); this only saves retyping.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))

from pagerun import run_page  # noqa: E402


def regen(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        ran = run_page(text, path.name, tmp)
    out, pos = [], 0
    for r in ran:
        b = r.block
        if b.expected is None:
            continue
        # the text block sits between the python block and b.end; replace its body
        start = text.rindex("```text\n", 0, b.end) + len("```text\n")
        end = text.rindex("```", 0, b.end)
        out.append(text[pos:start])
        out.append(r.printed if r.printed.endswith("\n") else r.printed + "\n")
        pos = end
    out.append(text[pos:])
    new = "".join(out)
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    pages = [Path(p).resolve() for p in sys.argv[1:]] or sorted(
        p for p in DOCS.rglob("*.md") if re.search(r"```text", p.read_text(encoding="utf-8")))
    for p in pages:
        print(("rewrote " if regen(p) else "same    ") + str(p.relative_to(DOCS)))
