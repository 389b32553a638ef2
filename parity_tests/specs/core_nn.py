"""Specs of the activations (functions, F.*, Tensor methods), the in-place ops (forward under
no_grad) and the Tensor conversion methods (float/double/long/to/clone/detach/type)."""

from __future__ import annotations

import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from registry import OpSpec, arrays, dims_kwargs, register

BIG = (-1e4, 1e4)  # softmax/sigmoid/tanh must be finite and warning-free here in float32


def F(m):
    return m.nn.functional


def fixed(**choices):
    return lambda shapes: st.fixed_dictionaries({k: st.sampled_from(v) for k, v in choices.items()})


def softmax_dim(shapes):
    return dims_kwargs(shapes, keepdim=False, allow_none=False, multi=False)


# ---- activations -----------------------------------------------------------------------------
register(OpSpec("relu", fn=lambda m, x: m.relu(x), kinks=(0.0,)))
register(OpSpec("relu", variant="F", fn=lambda m, x: F(m).relu(x), kinks=(0.0,)))
register(OpSpec("relu", variant="method", fn=lambda m, x: x.relu(), kinks=(0.0,)))
register(
    OpSpec(
        "leaky_relu",
        fn=lambda m, x, s: F(m).leaky_relu(x, s),
        kinks=(0.0,),
        kwargs=fixed(s=[0.01, 0.2, 1.5]),
    )
)
register(OpSpec("leaky_relu", variant="default", fn=lambda m, x: F(m).leaky_relu(x), kinks=(0.0,)))


@st.composite
def _prelu_sample(draw, dtype):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, max_side=3))
    c = shape[1] if len(shape) >= 2 and draw(st.booleans()) else 1
    return [arrays(draw, dtype, shape), arrays(draw, dtype, (c,), -1.0, 1.0)], {}


register(
    OpSpec(
        "prelu",
        fn=lambda m, x, w: F(m).prelu(x, w),
        kinks=(0.0,),
        sample=lambda d, dt: d(_prelu_sample(dt)),
    )
)
register(
    OpSpec(
        "prelu",
        variant="default_weight",
        fn=lambda m, x: F(m).prelu(x, m.tensor([0.25], dtype=x.dtype, device=x.device)),
        kinks=(0.0,),
    )
)
register(OpSpec("sigmoid", fn=lambda m, x: m.sigmoid(x), elements=BIG, aliases=()))
register(OpSpec("sigmoid", variant="small", fn=lambda m, x: F(m).sigmoid(x)))
register(OpSpec("sigmoid", variant="method", fn=lambda m, x: x.sigmoid(), elements=BIG))
register(OpSpec("tanh", fn=lambda m, x: m.tanh(x), elements=BIG))
register(OpSpec("tanh", variant="small", fn=lambda m, x: x.tanh()))
register(OpSpec("tanh", variant="F", fn=lambda m, x: F(m).tanh(x)))
register(
    OpSpec(
        "softmax", fn=lambda m, x, dim: F(m).softmax(x, dim=dim), elements=BIG, kwargs=softmax_dim
    )
)
register(
    OpSpec(
        "softmax",
        variant="small",
        fn=lambda m, x, dim: m.softmax(x, dim),
        kwargs=softmax_dim,
        kinks=("ties",),
    )
)
register(
    OpSpec("softmax", variant="method", fn=lambda m, x, dim: x.softmax(dim), kwargs=softmax_dim)
)
register(
    OpSpec(
        "log_softmax",
        fn=lambda m, x, dim: F(m).log_softmax(x, dim=dim),
        elements=BIG,
        kwargs=softmax_dim,
    )
)
register(
    OpSpec(
        "log_softmax",
        variant="small",
        fn=lambda m, x, dim: x.log_softmax(dim),
        kwargs=softmax_dim,
        kinks=("ties",),
    )
)
register(
    OpSpec(
        "log_softmax",
        variant="function",
        fn=lambda m, x, dim: m.log_softmax(x, dim),
        kwargs=softmax_dim,
    )
)
register(
    OpSpec(
        "elu",
        fn=lambda m, x, alpha: F(m).elu(x, alpha),
        kinks=(0.0,),
        kwargs=fixed(alpha=[1.0, 0.5, 2.0]),
    )
)
register(
    OpSpec(
        "elu",
        variant="function",
        fn=lambda m, x: m.elu(x) if m.__name__ != "torch" else F(m).elu(x),
        kinks=(0.0,),
    )
)
register(
    OpSpec(
        "elu", variant="method", ours=lambda x: x.elu(), ref=lambda x: F(torch).elu(x), kinks=(0.0,)
    )
)
register(OpSpec("gelu", fn=lambda m, x: F(m).gelu(x)))
register(OpSpec("gelu", variant="tanh", fn=lambda m, x: F(m).gelu(x, approximate="tanh")))
register(
    OpSpec(
        "gelu",
        variant="method",
        ours=lambda x, a: x.gelu(approximate=a),
        ref=lambda x, a: F(torch).gelu(x, approximate=a),
        kwargs=fixed(a=["none", "tanh"]),
    )
)
register(OpSpec("silu", fn=lambda m, x: F(m).silu(x)))
register(
    OpSpec(
        "silu",
        variant="function",
        fn=lambda m, x: m.silu(x) if m.__name__ != "torch" else F(m).silu(x),
    )
)
register(
    OpSpec(
        "softplus",
        fn=lambda m, x: F(m).softplus(x),
        elements=(-30.0, 30.0),
        kinks=(20.0,),
        smooth=False,
    )
)
register(
    OpSpec(
        "softplus",
        variant="beta",
        fn=lambda m, x, beta, threshold: F(m).softplus(x, beta, threshold),
        kwargs=fixed(beta=[2.0, 0.5], threshold=[5.0, 20.0]),
    )
)
register(
    OpSpec(
        "softplus",
        variant="method",
        fn=lambda m, x: x.softplus() if m.__name__ != "torch" else F(m).softplus(x),
    )
)


# ---- in-place ops: forward vs torch under no_grad (the result and the mutated tensor) ---------
INTO = hnp.mutually_broadcastable_shapes(num_shapes=1, max_side=4).map(
    lambda b: (b.result_shape, b.input_shapes[0])
)


def inplace(name, fn, **kw):
    register(OpSpec(name, fn=fn, no_grad_only=True, **kw))


inplace("add_", lambda m, x, y: (x.add_(y), x), shapes=INTO, aliases=("__iadd__",))
inplace("add_", lambda m, x, y: (x.add_(y, alpha=-0.5), x), shapes=INTO, variant="alpha")
inplace("sub_", lambda m, x, y: (x.sub_(y), x), shapes=INTO, aliases=("__isub__",))
inplace("mul_", lambda m, x, y: (x.mul_(y), x), shapes=INTO, aliases=("__imul__",))
inplace(
    "div_",
    lambda m, x, y: (x.div_(y), x),
    shapes=INTO,
    elements=((-10, 10), (0.5, 4.0)),
    aliases=("__itruediv__",),
)
inplace("pow_", lambda m, x: (x.pow_(2), x))
inplace("add_", lambda m, x: (x.add_(1.5), x), variant="scalar")
inplace("mul_", lambda m, x: (x.mul_(-2.0), x), variant="scalar")


def _iops(m, x, y):
    x += y
    x -= 0.5 * y
    x *= 2.0
    x /= 4.0
    return x


inplace("__iadd__", _iops, shapes=INTO, variant="augmented")
inplace("zero_", lambda m, x: (x.zero_(), x))
inplace("fill_", lambda m, x: (x.fill_(3.25), x))
inplace("copy_", lambda m, x, y: (x.copy_(y), x), shapes=INTO)
inplace("clamp_", lambda m, x: (x.clamp_(-1.0, 2.0), x), kinks=(-1.0, 2.0), aliases=("clip_",))
inplace("clamp_", lambda m, x: (x.clamp_(min=0.0), x), variant="min")
inplace("masked_fill_", lambda m, x: (x.masked_fill_(x > 0, -1.0), x))
inplace("relu_", lambda m, x: (x.relu_(), x), kinks=(0.0,))


# ---- Tensor conversion methods ---------------------------------------------------------------
# (casts to float32 are not gradchecked in float64: the finite differences would be float32's)
register(OpSpec("float", fn=lambda m, x: x.float(), smooth=False))
register(OpSpec("double", fn=lambda m, x: x.double()))
# half(): compared bit for bit (helpers.assert_close is exact for float16); values beyond
# float16's range (±65504) and the special values overflow to ±inf / stay nan in both.
register(
    OpSpec("half", fn=lambda m, x: x.half(), elements=(-7e4, 7e4), smooth=False)
)
register(OpSpec("half", variant="small", fn=lambda m, x: x.half(), elements=(-4.0, 4.0),
                smooth=False))
# integer/bool casts: the input requires grad, the output does not (as in torch)
register(OpSpec("long", fn=lambda m, x: x.long(), special=False, smooth=False))
register(OpSpec("int", fn=lambda m, x: x.int(), special=False, smooth=False))
register(OpSpec("bool", fn=lambda m, x: x.bool(), kinks=(0.0,), smooth=False))
register(
    OpSpec(
        "to",
        fn=lambda m, x, d: x.to(getattr(m, d)),
        kwargs=fixed(d=["float32", "float64", "float", "double"]),
        smooth=False,
    )
)
register(OpSpec("to", variant="device", fn=lambda m, x: x.to("cpu"), aliases=("cpu",)))
register(OpSpec("to", variant="int64", fn=lambda m, x: x.to(m.int64), special=False,
                smooth=False))
register(
    OpSpec(
        "type",
        fn=lambda m, x, d: x.type(getattr(m, d)),
        kwargs=fixed(d=["float", "double", "float32"]),
        smooth=False,
    )
)
register(
    OpSpec(
        "type", variant="legacy", fn=lambda m, x: x.type(m.LongTensor), special=False,
        smooth=False,
    )
)
register(OpSpec("type_as", fn=lambda m, x, y: x.type_as(y), shapes=2, smooth=False))
register(OpSpec("clone", variant="method", fn=lambda m, x: x.clone()))
register(OpSpec("detach", fn=lambda m, x: x.detach() * 1.0, smooth=False))
register(OpSpec("detach", variant="value", fn=lambda m, x: x.detach(), smooth=False))
register(OpSpec("contiguous", fn=lambda m, x: x.contiguous()))
