"""Running one ModuleInfo (``nn.Linear``, ...) on tinygrad_edu.

For each dtype (float32, float64 where torch's ModuleInfo lists it), each training mode
(train, then eval) and each ``module_inputs_func`` entry:

1. build torch's module and ``tg.nn.<same class name>`` from the same constructor arguments,
   cast both to the dtype, set the mode;
2. copy torch's parameters and buffers into tinygrad_edu with ``load_state_dict(strict=True)``
   (so the state_dict keys must match: a checkpoint moves between the two libraries);
3. ``forward``: run both on the same inputs; compare the outputs and every buffer afterwards
   (running statistics, ``num_batches_tracked``);
4. ``grad``: under a seeded random upstream gradient, compare the gradients of every input that
   requires grad and of every parameter (by name).

``error``: ``module_error_inputs_func`` entries: construction or forward must raise what torch
raises (type, and a message matching torch's regex or naming the module class).
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import torch

import tinygrad_edu as tg

from . import db
from .autodiff import compare_vjp, flat, grad_inputs, tg_vjp
from .calls import call, first_line, raised, same_error
from .compare import Mismatch, Tolerances, assert_same
from .convert import ToTg, Unconvertible, describe, has_complex, tg_dtype
from .ops import GRAD_TOL_FACTOR
from .records import CheckResult
from .referee import to_float64, upstreams, within_torch_error


def class_name(mi) -> str:
    return mi.name.removeprefix("nn.")


def tg_class(mi):
    """``tg.nn.<class name>`` or None."""
    cls = getattr(tg.nn, class_name(mi), None)
    return cls if isinstance(cls, type) else None


def float_dtypes(mi) -> list:
    return [d for d in (torch.float32, torch.float64) if d in mi.dtypes]


def module_inputs(mi, dtype, training: bool) -> list:
    db.seed_all()
    return list(
        mi.module_inputs_func(
            mi, device=db.DEVICE, dtype=dtype, requires_grad=True, training=training
        )
    )


def describe_input(mi_in) -> str:
    c, f = mi_in.constructor_input, mi_in.forward_input
    text = f"{mi_in.desc or 'default'}: ctor{describe(tuple(c.args))}"
    if c.kwargs:
        text += f" {describe(dict(c.kwargs))}"
    if f is not None:
        text += f", forward{describe(tuple(f.args))}"
        if f.kwargs:
            text += f" {describe(dict(f.kwargs))}"
    return text


def build_pair(mi, mi_in, dtype, training: bool, conv: ToTg):
    """(torch module, tg module) with tg's parameters and buffers copied from torch's."""
    c = mi_in.constructor_input
    db.seed_all()
    m_t = mi.module_cls(*c.args, **c.kwargs).to(dtype)
    m_t.train(training)
    m_g = tg_class(mi)(*conv(tuple(c.args)), **conv(dict(c.kwargs)))
    m_g = m_g.to(tg_dtype(dtype))
    m_g.train(training)
    sd = m_t.state_dict()
    # a Lazy module's parameters have no shape until its first forward: there each library
    # draws them, from the same seed (tg's generator gives torch's numbers), so none is copied
    lazy = {k for k, v in sd.items() if torch.nn.parameter.is_lazy(v)}
    state = {k: tg.tensor(v.detach().numpy()) for k, v in sd.items() if k not in lazy}
    m_g.load_state_dict(state, strict=not lazy)
    return m_t, m_g


def check_module(mi, dtype) -> dict:
    """{"forward", "grad"} -> CheckResult for one ModuleInfo in one dtype."""
    dname = str(dtype).removeprefix("torch.")
    fwd, grad = CheckResult(mi.name, "forward", dname), CheckResult(mi.name, "grad", dname)
    tols = Tolerances()
    for training in (True, False):
        mode = "train" if training else "eval"
        for i, mi_in in enumerate(module_inputs(mi, dtype, training)):
            f = mi_in.forward_input
            if f is None:
                continue
            where, desc = f"{mode} input {i}", describe_input(mi_in)
            if has_complex(
                mi_in.constructor_input.args, mi_in.constructor_input.kwargs, f.args, f.kwargs
            ):
                fwd.skipped_complex += 1
                continue
            conv = ToTg()
            try:
                m_t, m_g = build_pair(mi, mi_in, dtype, training, conv)
                args, kwargs = conv(tuple(f.args)), conv(dict(f.kwargs))
            except Unconvertible as e:
                fwd.fail(where, desc, "unconvertible", str(e))
                continue
            except Exception as e:
                fwd.fail(where, desc, raised(e), f"building the module: {first_line(e)}")
                continue
            db.seed_all()
            want = call(m_t, *f.args, **f.kwargs)
            tg.manual_seed(db.SEED)
            got = call(m_g, *args, **kwargs)
            fwd.warnings += got.warned
            if not want.ok:
                fwd.fail(where, desc, "torch raises", first_line(want.error))
                continue
            if not got.ok:
                fwd.fail(where, desc, raised(got.error), first_line(got.error))
                continue
            out_t = want.value
            try:
                assert_same(got.value, out_t, tols)
                _same_buffers(m_g, m_t, tols)
            except Mismatch as m:
                fwd.fail(where, desc, m.kind, str(m))
                continue
            fwd.ok(where)
            _grad(
                grad,
                where,
                desc,
                f,
                out_t,
                got.value,
                m_t,
                m_g,
                conv,
                tols.scaled(GRAD_TOL_FACTOR),
                seed=db.SEED + i,
            )
    return {"forward": fwd, "grad": grad}


def _same_buffers(m_g, m_t, tols) -> None:
    g_buffers = dict(m_g.named_buffers())
    for name, b in m_t.named_buffers():
        if name not in g_buffers:
            raise Mismatch("buffer", f"no buffer {name!r} (torch has one)")
        assert_same(g_buffers[name], b, tols, f"buffer {name} after forward")


def _grad(res, where, desc, f, out_t, out_g, m_t, m_g, conv, tols, seed) -> None:
    t_inputs = grad_inputs(SimpleNamespace(input=None, args=tuple(f.args), kwargs=dict(f.kwargs)))
    labels = [f"grad of input {j}" for j in range(len(t_inputs))]
    g_inputs = [conv.memo[id(t)] for t in t_inputs]
    g_params = dict(m_g.named_parameters())
    for name, p in m_t.named_parameters():
        if p.requires_grad and name in g_params:
            t_inputs.append(p)
            g_inputs.append(g_params[name])
            labels.append(f"grad of parameter {name}")
    verdict = compare_vjp(flat(out_t), flat(out_g), t_inputs, g_inputs, tols, seed, labels)
    if verdict and verdict[0] == "value" and res.dtype == "float32":
        why = _module_referee(f, m_t, m_g, conv, tols, seed)
        if why is None:
            res.refereed += 1
            verdict = None
        else:
            verdict = verdict[0], f"{verdict[1]}; float64 referee: {why}"
    if verdict is None:
        res.ok(where)
    elif verdict is not False:
        res.fail(where, desc, *verdict)


def _module_referee(f, m_t, m_g, conv, tols, seed) -> str | None:
    """parity/referee.py's rule for a module's float32 gradients: tg's input and parameter
    gradients are judged against torch's module run in float64 (a float64 copy of the same
    module, the inputs upcast, the same upstream gradients), with torch's own float32 error
    as the noise floor. None when they pass, else why not."""
    up = to_float64({})

    def torch_grads(module, args, kwargs, dtype):
        db.seed_all()
        outs = [o for o in flat(module(*args, **kwargs)) if getattr(o, "requires_grad", False)]
        ins = grad_inputs(SimpleNamespace(input=None, args=tuple(args), kwargs=kwargs))
        ins += [p for p in module.parameters() if p.requires_grad]
        got = torch.autograd.grad(outs, ins, upstreams(outs, seed, dtype=dtype), allow_unused=True)
        return [(g if g is not None else torch.zeros_like(x)).double().numpy()
                for g, x in zip(got, ins)]

    def tg_grads():
        args, kwargs = conv(tuple(f.args)), conv(dict(f.kwargs))
        tg.manual_seed(db.SEED)
        outs = [o for o in flat(m_g(*args, **kwargs)) if getattr(o, "requires_grad", False)]
        ins = [conv.memo[id(t)] for t in grad_inputs(
            SimpleNamespace(input=None, args=tuple(f.args), kwargs=dict(f.kwargs)))]
        named = dict(m_g.named_parameters())
        ins += [named[n] for n, p in m_t.named_parameters() if p.requires_grad]
        up32 = [tg.tensor(u.numpy()) for u in upstreams(outs, seed, dtype=torch.float32)]
        got = tg_vjp(outs, ins, up32)
        return [np.asarray((g if g is not None else tg.zeros_like(x)).numpy(), np.float64)
                for g, x in zip(got, ins)]

    try:
        m64 = copy.deepcopy(m_t).double()
        t64 = torch_grads(m64, [up(a) for a in f.args],
                          {k: up(v) for k, v in f.kwargs.items()}, torch.float64)
        t32 = torch_grads(m_t, list(f.args), dict(f.kwargs), torch.float32)
        g32 = tg_grads()
    except Exception as e:  # noqa: BLE001 - no verdict: the original failure stands
        return f"referee could not run: {type(e).__name__}: {e}"
    rtol, atol = tols(torch.float32)
    return within_torch_error(g32, t32, t64, rtol, atol)


def check_module_errors(mi) -> CheckResult:
    """The ``error`` check of a ModuleInfo (empty when it declares no error inputs)."""
    res = CheckResult(mi.name, "error")
    if mi.module_error_inputs_func is None:
        return res
    names = {class_name(mi), class_name(mi).lower()}
    db.seed_all()
    errors = list(
        mi.module_error_inputs_func(
            mi, device=db.DEVICE, dtype=torch.float32, requires_grad=False, training=True
        )
    )
    for i, e in enumerate(errors):
        mi_in = e.module_error_input
        where, desc = f"error_input {i} ({e.error_on.name.lower()})", describe_input(mi_in)
        c, f = mi_in.constructor_input, mi_in.forward_input
        conv = ToTg()
        try:
            got = call(tg_class(mi), *conv(tuple(c.args)), **conv(dict(c.kwargs)))
            if got.ok and e.error_on.name == "FORWARD_ERROR":
                got = call(got.value, *conv(tuple(f.args)), **conv(dict(f.kwargs)))
        except Unconvertible as u:
            res.fail(where, desc, "unconvertible", str(u))
            continue
        verdict = same_error(got.error, e.error_type, e.error_regex, names)
        if verdict is None:
            res.ok(where)
        else:
            res.fail(where, desc, *verdict)
    return res
