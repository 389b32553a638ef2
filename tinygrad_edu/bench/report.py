"""Write the bench results: ``results.json``, ``results.md`` (a markdown table) and
``ratios.png`` (a bar chart of each framework's time over torch's, log scale)."""

from __future__ import annotations

import json
from pathlib import Path

FWS = ("torch", "tinygrad_edu", "dezero", "mygrad")
LABEL = {"torch": "torch", "tinygrad_edu": "tinygrad_edu", "dezero": "DeZero", "mygrad": "MyGrad"}


def _fmt(v: float) -> str:
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}" if v >= 1 else f"{v:.3f}"


def _mark(met) -> str:
    return "" if met is None else (" ✅" if met else " ❌")


def _floor(w: dict) -> str:
    f = w.get("floor")
    if not f:
        return "— | —"
    return f"{f['ours_over_numpy_floor']:.2f} | {f['numpy_over_torch_gemm']:.2f}"


def _solo(result: dict) -> list:
    """The second table: each framework alone in its own process, default thread count."""
    solo = result.get("solo")
    if not solo:
        return []
    t, o = solo.get("torch", {}), solo.get("tinygrad_edu", {})
    lines = ["", "**Each framework alone** in its own process with its default thread count "
             f"(torch {t.get('threads', {}).get('torch', '?')} threads, NumPy BLAS "
             f"{o.get('threads', {}).get('numpy_blas', '?')}): what a user gets. Not "
             "interleaved, so machine drift between the two runs is not cancelled.", ""]
    for fw, r in (("torch", t), ("tinygrad_edu", o)):
        if "error" in r:
            lines.append(f"Note: {fw} alone failed: {r['error']}\n")
    lines += ["| workload | torch alone | tinygrad_edu alone | **ours / torch** | target |",
              "|---|---:|---:|---:|---:|"]
    for w in result["workloads"]:
        k = w["key"]
        if k not in solo.get("ratio", {}):
            continue
        tt, oo = (r["results"][k]["median_s"] * w["scale"] for r in (t, o))
        lines.append(
            f"| {w['title']} | {_fmt(tt)} {w['unit']} | {_fmt(oo)} {w['unit']} | "
            f"**{solo['ratio'][k]:.2f}** | {'≤ %.2f' % w['target'] if w.get('target') else ''} |"
        )
    return lines


def markdown(result: dict) -> str:
    m = result["machine"]
    th = m["threads"]
    lines = [
        "# tinygrad_edu benchmark results"
        + (" (QUICK smoke run: not meaningful)" if result.get("quick") else ""),
        "",
        f"{m['date']} · {m['cpu']} · {m['cores']} cores · Python {m['python']} · "
        f"NumPy {m['numpy']} · torch {m['torch']} · "
        + " · ".join(f"{LABEL[k]} {v}" for k, v in m["peers"].items()),
        "",
        f"Threads: requested {th.get('requested')}, torch {th.get('torch')}, NumPy BLAS "
        f"{th.get('numpy_blas')}. Median of {result['reps']} interleaved rounds per framework "
        "(one process); ratio = time / torch's time (lower is better). Compiled loops "
        "(Adam, LSTM, 2×2 pooling, BatchNorm, mt19937, Box–Muller): "
        f"{m.get('adam_kernel', '?')}. NumPy's BLAS: {m.get('numpy_blas', '?')}.",
        "",
        "ours / NumPy floor = our step over the same step's GEMMs alone in NumPy (at its "
        "shapes); NumPy / torch GEMMs = how much of the gap is BLAS. — = the step has no GEMMs.",
        "",
        "| workload | unit | torch | tinygrad_edu | **ours / torch** | target | "
        "ours / NumPy floor | NumPy / torch GEMMs | DeZero | MyGrad | DeZero / ours |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in result["workloads"]:
        if w["key"] == "rss":
            continue
        if "skipped" in w:
            lines.append(f"| {w['title']} | {w['unit']} | skipped: {w['skipped']} |" + " |" * 8)
            continue
        r = w["results"]
        cells = []
        for fw in ("dezero", "mygrad"):
            cells.append(
                f"{_fmt(r[fw]['median'])} ({r[fw]['ratio_vs_torch']:.2f}×)" if fw in r else "—"
            )
        dz = w.get("speedup_vs_dezero")
        lines.append(
            f"| {w['title']} | {w['unit']} | {_fmt(r['torch']['median'])} | "
            f"{_fmt(r['tinygrad_edu']['median'])} | **{w['ratio']:.2f}**{_mark(w.get('met'))} | "
            f"{'≤ %.2f' % w['target'] if w['target'] else ''} | {_floor(w)} | "
            f"{cells[0]} | {cells[1]} | "
            f"{'%.1f×' % dz if dz else '—'}{_mark(dz >= 3.0) if dz else ''} |"
        )
    lines += _solo(result)
    mem = next((w for w in result["workloads"] if w["key"] == "rss"), None)
    if mem:
        lines += [
            "",
            f"**Memory**: {mem['title']} (each framework in its own process).",
            "",
            "| framework | RSS after import (MB) | peak RSS (MB) | RSS growth, "
            "10%→100% of steps (MB) |",
            "|---|---:|---:|---:|",
        ]
        for fw, r in mem["results"].items():
            if "error" in r:
                lines.append(f"| {LABEL[fw]} | error: {r['error']} | | |")
            else:
                lines.append(
                    f"| {LABEL[fw]} | {r['import_rss_mb']:.0f} | "
                    f"{r['peak_rss_mb']:.0f} | {r['growth_mb']:+.1f} |"
                )
        if "ratio" in mem:
            lines.append(
                f"\nPeak RSS ours / torch: **{mem['ratio']:.2f}**{_mark(mem['met'])} "
                "(target ≤ 1 and flat)"
            )
    for n in result.get("notes", []):
        lines.append(f"\nNote: {n}")
    for w in result["workloads"]:
        for n in w.get("notes", []):
            lines.append(f"\nNote ({w['key']}): {n}")
    lines.append(f"\nGPU: {result.get('gpu', '')}")
    if result.get("command"):
        lines.append(f"\nRegenerate: `{result['command']}` (from the repository root; writes "
                     "benchmarks/results/).")
    return "\n".join(lines) + "\n"


def plot(result: dict, path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    ws = [w for w in result["workloads"] if w.get("results") and w["key"] != "rss"]
    fws = [fw for fw in FWS[1:] if any(fw in w["results"] for w in ws)]
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(ws) + 2), 4.5))
    width = 0.8 / max(len(fws), 1)
    for j, fw in enumerate(fws):
        xs = [i + (j - (len(fws) - 1) / 2) * width for i, w in enumerate(ws) if fw in w["results"]]
        ys = [w["results"][fw]["ratio_vs_torch"] for w in ws if fw in w["results"]]
        bars = ax.bar(xs, ys, width, label=LABEL[fw])
        if fw == "tinygrad_edu":
            ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.axhline(1.0, color="black", lw=1, ls="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(ws)))
    ax.set_xticklabels([w["key"] for w in ws], rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("time / torch time (log; lower is better)")
    ax.set_title(
        "tinygrad_edu and NumPy peers vs torch (CPU, threads=%s)"
        % result["machine"]["threads"].get("requested")
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write(result: dict, out: Path, with_plot: bool = True) -> list:
    """Write results.json, results.md and (matplotlib permitting) ratios.png into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "results.json", out / "results.md"]
    paths[0].write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    paths[1].write_text(markdown(result))
    if with_plot:
        p = plot(result, out / "ratios.png")
        if p:
            paths.append(p)
    return paths
