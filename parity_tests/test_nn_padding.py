"""F.pad, pixel_shuffle / pixel_unshuffle / channel_shuffle and their modules against torch:
the checks torch's OpInfos leave out (error_inputs, integer/bool values, the unbatched and
many-leading-axis layouts, reprs, node names). Values and gradients of the OpInfo samples
are in test_torch_ops.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import tg_np, th_np

import tinygrad_edu as tg

BAD_PADS = [
    ((1, 3, 3), ((1,),), {}),
    ((1, 3, 3), ((1,) * 8,), {}),
    ((1, 3, 3), ((1, 1), "foo"), {}),
    ((1, 3, 3), ((1, 1), "reflect", 2.0), {}),
    ((1, 3, 3), ((3, 3), "reflect"), {}),
    ((1, 2, 3, 3), ((1, 1, 3, 0), "reflect"), {}),
    ((1, 3, 3), ((1,) * 6, "reflect"), {}),
    ((3,), ((1, 1), "replicate"), {}),
    ((1, 3, 3), ((4, 4), "circular"), {}),
    ((1, 0), ((1, 1), "replicate"), {}),
    ((1, 0), ((1, 1), "reflect"), {}),
    ((2, 3), ((1.5, 1),), {}),
]


@pytest.mark.parametrize("shape, args, kwargs", BAD_PADS)
def test_pad_errors_are_torchs(shape, args, kwargs):
    with pytest.raises(Exception) as ref:
        torch.nn.functional.pad(torch.zeros(shape), *args, **kwargs)
    with pytest.raises(ref.type) as ours:
        tg.nn.functional.pad(tg.zeros(shape), *args, **kwargs)
    assert str(ours.value) == str(ref.value)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("dtype", ["int64", "bool", "float32"])
def test_pad_dtypes_values_and_node_names(mode, dtype):
    x = (np.arange(2 * 3 * 4 * 5) % 7).reshape(2, 3, 4, 5).astype(dtype)
    kw = {"value": 2.7} if mode == "constant" else {}
    if dtype == "bool" and mode in ("reflect", "replicate"):
        pytest.skip("torch implements reflect/replicate for numbers only")
    many = [(2, 1, 0, 3), (-1, 2, 1, -2), (1, 1, 1, 0, 1, 0)]
    for pads in [(1, 2)] * (mode == "constant") + many:
        ref = torch.nn.functional.pad(torch.from_numpy(x), pads, mode, **kw)
        ours = tg.nn.functional.pad(tg.tensor(x), pads, mode, **kw)
        assert tg_np(ours).dtype == th_np(ref).dtype
        np.testing.assert_array_equal(tg_np(ours), th_np(ref))
    if dtype == "float32":
        t = torch.tensor(x, requires_grad=True)
        o = tg.tensor(x, requires_grad=True)
        assert (tg.nn.functional.pad(o, (1, 1, 1, 1), mode).grad_fn.name()
                == torch.nn.functional.pad(t, (1, 1, 1, 1), mode).grad_fn.name())


@pytest.mark.parametrize("shape, fn, arg", [
    ((8, 2, 3), "pixel_shuffle", 2), ((2, 3, 18, 2, 2), "pixel_shuffle", 3),
    ((3, 4, 6), "pixel_unshuffle", 2), ((2, 1, 2, 6, 3), "pixel_unshuffle", 3),
    ((2, 6, 3), "channel_shuffle", 3), ((1, 8, 2, 2, 2), "channel_shuffle", 4),
    ((1, 3, 2, 2), "pixel_shuffle", 2), ((4, 2), "pixel_shuffle", 2),
    ((1, 1, 3, 4), "pixel_unshuffle", 2), ((1, 1, 4, 3), "pixel_unshuffle", 2),
    ((1, 4, 2, 2), "pixel_shuffle", 0), ((1, 3, 2, 2), "channel_shuffle", 2),
    ((3,), "channel_shuffle", 1), ((2, 4), "channel_shuffle", 2),
    ((1, 4, 2, 2), "channel_shuffle", 0),
])
def test_shuffles_match_torch(shape, fn, arg):
    x = np.random.default_rng(0).standard_normal(shape)
    try:
        ref = getattr(torch.nn.functional, fn)(torch.tensor(x, requires_grad=True), arg)
    except RuntimeError as e:
        with pytest.raises(RuntimeError) as ours:
            getattr(tg.nn.functional, fn)(tg.tensor(x), arg)
        assert str(ours.value) == str(e)
        return
    t = tg.tensor(x, requires_grad=True)
    y = getattr(tg.nn.functional, fn)(t, arg)
    np.testing.assert_array_equal(tg_np(y), th_np(ref.detach()))
    assert y.grad_fn.name() == ref.grad_fn.name()
    g = np.random.default_rng(1).standard_normal(tuple(ref.shape))
    y.backward(tg.tensor(g))
    np.testing.assert_array_equal(tg_np(t.grad), th_np(_torch_grad(fn, x, arg, g)))


def _torch_grad(fn, x, arg, g):
    t = torch.tensor(x, requires_grad=True)
    getattr(torch.nn.functional, fn)(t, arg).backward(torch.from_numpy(g))
    return t.grad


@pytest.mark.parametrize("build", [
    "PixelShuffle(3)", "PixelUnshuffle(2)", "ChannelShuffle(2)", "ZeroPad2d((1, 2, 0, 3))",
    "ConstantPad1d(2, 3.5)", "ReflectionPad3d(1)", "ReplicationPad1d((2, 0))", "CircularPad2d(1)",
])
def test_shuffle_and_pad_modules_repr_and_forward(build):
    ours, ref = eval("tg.nn." + build), eval("torch.nn." + build)
    assert repr(ours) == repr(ref)
    space = {"1d": 1, "2d": 2, "3d": 3}.get(build.split("(")[0][-2:], 2)
    x = np.random.default_rng(2).standard_normal((2, 36) + (6,) * space)
    np.testing.assert_array_equal(tg_np(ours(tg.tensor(x))), th_np(ref(torch.from_numpy(x))))


def test_circular_pad_module_checks_the_rank():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        tg.nn.CircularPad1d(1)(tg.zeros(1, 1, 2, 2))
