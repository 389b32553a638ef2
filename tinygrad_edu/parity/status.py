"""``python3 -m tinygrad_edu.parity.status``: run torch's databases on tinygrad_edu (without
pytest) and print the coverage per family.

    python3 -m tinygrad_edu.parity.status [--json F] [--markdown F] [--only SUBSTRING] [-v]

For every OpInfo, ModuleInfo and OptimizerInfo of torch 2.13: implemented by tinygrad_edu or
missing; when implemented, ``passing`` (every check passes), ``pending`` (everything passes
but second-order gradients, which the engine cannot take for that op; not a pass), ``partial``
(some samples fail), ``failing`` (no sample passes) or ``n/a`` (nothing runs on the CPU).
Exit status: 0 when every failure is waived in :mod:`.waivers`, 1 otherwise, 2 when torch or
expecttest is missing.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from dataclasses import dataclass, field

from . import db, waivers
from .families import ORDER, OUT_OF_SCOPE, family
from .records import FAIL, CheckResult, overall

STATUSES = ("passing", "pending", "partial", "failing", "n/a", "missing")


@dataclass
class Entry:
    """One OpInfo / ModuleInfo / OptimizerInfo and what happened to it."""

    kind: str  # "op", "module", "optim"
    name: str
    family: str
    implemented: bool
    results: list = field(default_factory=list)
    missing_variants: list = field(default_factory=list)

    @property
    def status(self) -> str:
        return overall(self.results) if self.implemented else "missing"

    def to_dict(self) -> dict:
        return dict(
            kind=self.kind,
            name=self.name,
            family=self.family,
            implemented=self.implemented,
            status=self.status,
            missing_variants=self.missing_variants,
            results=[r.to_dict() for r in self.results],
        )


# ----------------------------------------------------------------------------- running -------
def run_ops(only: str | None = None, log=None) -> list:
    from .ops import check_errors, check_op
    from .resolve import bind

    out = []
    for op in db.load().ops:
        opid = db.opinfo_id(op)
        if only and only not in opid:
            continue
        b = bind(op)
        e = Entry(
            "op",
            opid,
            family(op.name, op.variant_test_name),
            b.implemented,
            missing_variants=b.missing,
        )
        if b.implemented:
            t0 = time.perf_counter()
            for dtype in db.test_dtypes(op):
                e.results += list(check_op(op, dtype).values())
            e.results.append(check_errors(op))
            _log(log, e, time.perf_counter() - t0)
        out.append(e)
    return out


def run_modules(only: str | None = None, log=None) -> list:
    from .modules import check_module, check_module_errors, float_dtypes, tg_class

    out = []
    for mi in db.load().modules:
        if only and only not in mi.name:
            continue
        e = Entry("module", mi.name, "modules", tg_class(mi) is not None)
        if e.implemented:
            t0 = time.perf_counter()
            for dtype in float_dtypes(mi):
                e.results += list(check_module(mi, dtype).values())
            e.results.append(check_module_errors(mi))
            _log(log, e, time.perf_counter() - t0)
        out.append(e)
    return out


def run_optims(only: str | None = None, log=None) -> list:
    import torch

    from .optim import check_optimizer, check_optimizer_errors, tg_class

    out = []
    for oi in db.load().optims:
        if only and only not in oi.name:
            continue
        e = Entry("optim", oi.name, "optimizers", tg_class(oi) is not None)
        if e.implemented:
            t0 = time.perf_counter()
            e.results = [check_optimizer(oi, d) for d in (torch.float32, torch.float64)]
            e.results.append(check_optimizer_errors(oi))
            _log(log, e, time.perf_counter() - t0)
        out.append(e)
    return out


def _log(log, e: Entry, seconds: float) -> None:
    if log is not None:
        log(f"{e.status:8s} {seconds:6.2f}s  {e.name}")


# ---------------------------------------------------------------------------- counting -------
def count(entries) -> dict:
    """{total, implemented, passing, pending, partial, failing, missing} of some entries."""
    c = collections.Counter(e.status for e in entries)
    row = {"total": len(entries), "implemented": sum(e.implemented for e in entries)}
    row.update({s: c.get(s, 0) for s in STATUSES})
    return row


def family_rows(entries) -> list:
    """(family, counts) per family of the OpInfos, in the table's order, then the total."""
    ops = [e for e in entries if e.kind == "op"]
    rows = [(f, count([e for e in ops if e.family == f])) for f in ORDER]
    in_scope = [e for e in ops if e.family != OUT_OF_SCOPE]
    return rows + [("all OpInfos in scope", count(in_scope)), ("all OpInfos", count(ops))]


def sample_failures(entries) -> dict:
    """Failing samples per check (forward, grad, error, ...) over every implemented entry."""
    out = collections.Counter()
    for e in entries:
        for r in e.results:
            out[f"{e.kind} {r.check}"] += len(r.failures)
    return dict(out)


def failure_kinds(entries, top: int = 20) -> list:
    """[(check, kind, count, example)] most common first; example = 'name: message'."""
    counts, examples = collections.Counter(), {}
    for e in entries:
        for r in e.results:
            for f in r.failures:
                key = (r.check, f.kind)
                counts[key] += 1
                examples.setdefault(key, f"{e.name}: {f.message[:160]}  [{f.sample[:100]}]")
    return [(c, k, n, examples[(c, k)]) for (c, k), n in counts.most_common(top)]


def warning_samples(entries) -> dict:
    """{name: samples during which tinygrad_edu emitted a RuntimeWarning} (torch emits none)."""
    out = {e.name: sum(r.warnings for r in e.results) for e in entries}
    return dict(sorted(((k, v) for k, v in out.items() if v), key=lambda kv: -kv[1]))


def waiver_audit(entries) -> dict:
    """Failing checks with no waiver, and waivers whose check no longer fails."""
    failing, waived = [], set()
    for e in entries:
        for r in e.results:
            if waivers.reason(e.name, r.check, r.dtype) is not None:
                waived.add((e.name, r.check, r.dtype))
            if r.status == FAIL and waivers.reason(e.name, r.check, r.dtype) is None:
                failing.append(r.key)
    stale = []
    for (name, check), _ in waivers.WAIVERS.items():
        base, _, dtype = check.partition(":")
        hits = [
            r
            for e in entries
            if e.name == name
            for r in e.results
            if r.check == base and (not dtype or r.dtype == dtype)
        ]
        if hits and not any(r.status == FAIL for r in hits):
            stale.append(f"{name}:{check}")
    return {"unwaived_failures": failing, "stale_waivers": stale}


# ---------------------------------------------------------------------------- rendering ------
def _table(rows, first: str) -> list:
    cols = ("total", "implemented", *STATUSES)
    lines = [f"| {first} | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, row in rows:
        lines.append(f"| {name} | " + " | ".join(str(row[c]) for c in cols) + " |")
    return lines


def render_markdown(doc: dict) -> str:
    """The coverage section of docs/parity.md."""
    lines = _table(doc["families"], "OpInfo family")
    lines += [
        "",
        *_table([("ModuleInfos", doc["modules"]), ("OptimizerInfos", doc["optims"])], "database"),
    ]
    lines += [
        "",
        "Failing samples per check: "
        + ", ".join(f"{k} {v}" for k, v in sorted(doc["sample_failures"].items()) if v)
        + ".",
    ]
    lines += ["", "| check | failure kind | samples | example |", "|---|---|---|---|"]
    for check, kind, n, example in doc["failure_kinds"]:
        cell = example.replace("|", "/").replace("[", "\\[").replace("]", "\\]")  # not links
        lines.append(f"| {check} | {kind} | {n} | {cell} |")
    lines += ["", "Implemented but not passing yet (the waivers say why):", ""]
    for fam, names in not_passing(doc["entries"]).items():
        lines.append(f"- **{fam}**: " + ", ".join(f"`{n}` ({s})" for n, s in names))
    return "\n".join(lines) + "\n"


def not_passing(entries: list) -> dict:
    """{family: [(name, status)]} of implemented entries that are partial or failing."""
    out: dict = {}
    for e in entries:
        if e["status"] in ("partial", "failing"):
            out.setdefault(e["family"], []).append((e["name"], e["status"]))
    return out


def render_text(doc: dict) -> str:
    cols = ("total", "implemented", *STATUSES)
    head = f"{'':34s}" + "".join(f"{c:>12s}" for c in cols)
    lines = [head]
    for name, row in doc["families"] + [
        ("ModuleInfos", doc["modules"]),
        ("OptimizerInfos", doc["optims"]),
    ]:
        lines.append(f"{name:34s}" + "".join(f"{row[c]:12d}" for c in cols))
    lines.append(
        "failing samples: "
        + ", ".join(f"{k} {v}" for k, v in sorted(doc["sample_failures"].items()) if v)
    )
    lines.append("top failure kinds:")
    for check, kind, n, example in doc["failure_kinds"][:12]:
        lines.append(f"  {n:6d}  {check:9s} {kind:28s} e.g. {example[:110]}")
    if doc["warnings"]:
        top = ", ".join(f"{k} {v}" for k, v in list(doc["warnings"].items())[:8])
        lines.append(
            f"samples where tinygrad_edu emitted a RuntimeWarning (torch emits none): "
            f"{sum(doc['warnings'].values())} ({top})"
        )
    audit = doc["audit"]
    lines.append(
        f"checks failing without a waiver: {len(audit['unwaived_failures'])}; "
        f"stale waivers: {len(audit['stale_waivers'])}; "
        f"waivers: {len(waivers.WAIVERS)}; {doc['seconds']:.0f} s ({doc['cpu_seconds']:.0f} s CPU)"
    )
    return "\n".join(lines)


def collect(only: str | None = None, log=None) -> dict:
    """Run everything and return the JSON-able report."""
    import numpy
    import torch

    t0, c0 = time.perf_counter(), time.process_time()
    entries = run_ops(only, log) + run_modules(only, log) + run_optims(only, log)
    return {
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "families": family_rows(entries),
        "modules": count([e for e in entries if e.kind == "module"]),
        "optims": count([e for e in entries if e.kind == "optim"]),
        "sample_failures": sample_failures(entries),
        "failure_kinds": failure_kinds(entries),
        "warnings": warning_samples(entries),
        "audit": waiver_audit(entries),
        "entries": [e.to_dict() for e in entries],
    }


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="F", help="write the full report (every sample) as JSON")
    p.add_argument("--only", metavar="TEXT", help="only entries whose name contains TEXT")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per entry as it runs")


def run(args) -> tuple[int, dict | None]:
    """Run with parsed :func:`add_arguments` options: print the table, write ``--json``.
    Returns (exit status, report); the report is None when torch or expecttest is missing."""
    try:
        db.load()
    except db.ParityUnavailable as e:
        print(f"tinygrad-edu parity: {e}", file=sys.stderr)
        return 2, None
    log = (lambda s: print(s, file=sys.stderr, flush=True)) if args.verbose else None
    doc = collect(args.only, log)
    if args.only and not any(e["status"] != "missing" for e in doc["entries"]):
        print(f"tinygrad-edu parity: no implemented OpInfo, ModuleInfo or OptimizerInfo name "
              f"contains {args.only!r}", file=sys.stderr)
        return 2, doc
    print(render_text(doc))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
    return (1 if doc["audit"]["unwaived_failures"] else 0), doc


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="python3 -m tinygrad_edu.parity.status", description=__doc__.splitlines()[0]
    )
    add_arguments(p)
    p.add_argument("--markdown", metavar="F", help="write the family table as Markdown")
    args = p.parse_args(argv)
    rc, doc = run(args)
    if doc is not None and args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(render_markdown(doc))
    return rc


def load_results(path: str) -> list:
    """The CheckResults of a ``--json`` report (for tools that read a finished run)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return [CheckResult.from_dict(r) for e in doc["entries"] for r in e["results"]]


if __name__ == "__main__":
    sys.exit(main())
