"""torch's OpInfo samples on the meta device: does tinygrad_edu give torch's shapes and dtypes?

For each sample of an OpInfo (float32 unless told), every tensor is moved to torch's ``meta``
device and the op's function variant is called in torch; where torch has a meta kernel (it
returns), the same sample is converted (meta tensors become tg meta tensors, :mod:`.convert`)
and called in tinygrad_edu. The outcome of each sample is one of:

- ``agree``: every output tensor has torch's shape and dtype and is on ``meta``, and any other
  output (a Python number, None, a shape) equals torch's;
- ``differ``: an output's shape, dtype, device or value differs (a bug: the sweep lists them);
- ``raises``: tinygrad_edu raises where torch computes (an op we cannot run without data: the
  message says why; counted, never hidden);
- ``both raise``: torch and tinygrad_edu raise the same exception type on the sample;
- ``torch raises``: torch has no meta kernel for the sample (or rejects it), tinygrad_edu not run.

``parity_tests/scripts/sweep_meta.py`` runs it over every implemented OpInfo and prints the
counts; ``parity_tests/test_meta_device.py`` pins a fast subset.
"""

from __future__ import annotations

import collections
import warnings

import torch

import tinygrad_edu as tg

from . import db
from .calls import call, seeded
from .convert import ToTg, Unconvertible, has_complex, leaves
from .resolve import bind


def to_meta(obj):
    """A sample argument with every torch tensor moved to ``meta`` (requires_grad kept)."""
    if isinstance(obj, torch.Tensor):
        m = obj.detach().to("meta")
        return m.requires_grad_(obj.requires_grad) if obj.is_floating_point() or \
            obj.is_complex() else m
    if isinstance(obj, (list, tuple)) and not isinstance(obj, torch.Size):
        items = [to_meta(o) for o in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else type(obj)(items)
    if isinstance(obj, dict):
        return {k: to_meta(v) for k, v in obj.items()}
    return obj


def _flat_outputs(out):
    return list(leaves(out)) if isinstance(out, (list, tuple, dict)) else [out]


def compare_outputs(t_out, g_out) -> str | None:
    """None when ``g_out`` (tinygrad_edu's) has ``t_out``'s (torch's) structure, shapes, dtypes
    and devices; otherwise what differs."""
    ts, gs = _flat_outputs(t_out), _flat_outputs(g_out)
    if len(ts) != len(gs):
        return f"{len(gs)} outputs, torch {len(ts)}"
    for i, (t, g) in enumerate(zip(ts, gs)):
        if isinstance(t, torch.Tensor):
            if not isinstance(g, tg.Tensor):
                return f"output {i}: {type(g).__name__}, torch a Tensor"
            if tuple(g.shape) != tuple(t.shape):
                return f"output {i}: shape {tuple(g.shape)}, torch {tuple(t.shape)}"
            if str(g.dtype) != str(t.dtype):
                return f"output {i}: dtype {g.dtype}, torch {t.dtype}"
            if g.device.type != t.device.type:
                return f"output {i}: device {g.device}, torch {t.device}"
        elif isinstance(g, tg.Tensor):
            return f"output {i}: a Tensor, torch {type(t).__name__}"
        elif t != g and not (t is None and g is None):
            return f"output {i}: {g!r}, torch {t!r}"
    return None


def check_sample(op, variant, s) -> tuple[str, str]:
    """(outcome, detail) of one sample, run on meta in torch and in tinygrad_edu."""
    args = (to_meta(s.input), to_meta(tuple(s.args)), to_meta(dict(s.kwargs)))
    t = call(seeded(variant.torch_fn, torch), args[0], *args[1], **args[2])
    try:
        conv = ToTg()
        g_args = (conv(args[0]), conv(args[1]), conv(args[2]))
    except Unconvertible as e:
        return "unconvertible", str(e)
    g = call(seeded(variant.tg_fn, tg), g_args[0], *g_args[1], **g_args[2])
    if not t.ok:
        if not g.ok and isinstance(g.error, type(t.error)):
            return "both raise", type(t.error).__name__
        return "torch raises", f"{type(t.error).__name__}: {str(t.error)[:120]}"
    if not g.ok:
        return "raises", f"{type(g.error).__name__}: {str(g.error).splitlines()[0][:200]}"
    diff = compare_outputs(t.value, g.value)
    return ("agree", "") if diff is None else ("differ", diff)


def check_op(op, dtype=torch.float32, limit: int | None = None) -> collections.Counter:
    """Counts of outcomes over ``op``'s samples in ``dtype`` (at most ``limit``), with the first
    detail of each kind under ``(outcome, "detail")``."""
    counts: collections.Counter = collections.Counter()
    variants = bind(op).of("function")
    if not variants or dtype not in op.supported_dtypes("cpu"):
        return counts
    samples = db.sample_inputs(op, dtype, db.supports_grad(op, dtype))
    for s in samples[:limit]:
        if has_complex(s.input, s.args, s.kwargs):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome, detail = check_sample(op, variants[0], s)
        counts[outcome] += 1
        counts.setdefault((outcome, "detail"), detail)
    return counts
