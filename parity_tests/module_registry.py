"""The ModuleSpec registry: every public class of ``tinygrad_edu.nn`` is listed here with a spec
(driving the generated parity tests of test_nn_modules.py) or an exemption with its reason.

A spec builds the same module with ``lib = tinygrad_edu`` and ``lib = torch`` from hyperparameters
drawn by hypothesis, copies our initial weights into torch's module (through NumPy), feeds both the
same inputs and compares outputs, input gradients and parameter gradients, in train and eval mode,
in float32 and float64, plus the buffers (running statistics) after the forward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@dataclass
class ModuleSpec:
    """One module under test.

    build(lib, hp) -> module        lib.nn.<Class>(...) from hyperparameters ``hp``
    hparams(draw) -> dict           hyperparameters (np arrays in it: class weights ...)
    inputs(draw, hp, dtype) -> list of np arrays (float arrays become leaves requiring grad when
                                    their index is in ``grad_inputs``; int arrays are targets)
    """

    name: str
    build: Callable
    inputs: Callable
    hparams: Callable = lambda draw: {}
    variant: str = ""
    grad_inputs: tuple = (0,)
    modes: tuple = ("train", "eval")
    tol: float = 1.0

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


SPECS: list[ModuleSpec] = []
EXEMPT = {
    "Module": "the base class: its API is tested in test_nn_api.py",
    "Parameter": "a Tensor subclass, not a Module: tested in test_nn_api.py",
    "Buffer": "a Tensor subclass, not a Module: tested in test_nn_api.py",
    "ModuleList": "a container without forward: indexing/append/repr tested in test_nn_api.py",
    "ModuleDict": "a container without forward: tested in test_nn_api.py",
    "RNNBase": "the base class of RNN/LSTM/GRU, which have specs",
    **{name: "a loss of nn/modules/loss2.py: proven by torch's own ModuleInfo for it "
             "(test_torch_modules.py) and its OpInfo (test_torch_ops.py)"
       for name in ("CTCLoss", "CosineEmbeddingLoss", "GaussianNLLLoss", "HingeEmbeddingLoss",
                    "HuberLoss", "KLDivLoss", "MarginRankingLoss", "MultiLabelMarginLoss",
                    "MultiLabelSoftMarginLoss", "MultiMarginLoss", "PoissonNLLLoss",
                    "SoftMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss")},
}


def spec(*args, **kwargs) -> ModuleSpec:
    s = ModuleSpec(*args, **kwargs)
    SPECS.append(s)
    return s


def floats(draw, dtype, shape, lo=-5.0, hi=5.0):
    width = 32 if dtype == "float32" else 64
    return draw(hnp.arrays(np.dtype(dtype), shape, elements=st.floats(
        lo, hi, width=width, allow_subnormal=False)))


def shape(draw, min_dims=1, max_dims=3, max_side=4, lead=()):
    n = draw(st.integers(min_dims, max_dims))
    return tuple(lead) + tuple(draw(st.lists(st.integers(1, max_side), min_size=n, max_size=n)))


def _spread_rows(x):
    n = x.shape[0]
    return [(x + 20 * np.arange(n).reshape((n,) + (1,) * (x.ndim - 1))).astype(x.dtype)]


def _off0(a):
    """Values pushed ≥ 0.5 away from 0: with tiny norms the cosine gradient is a difference of
    terms ~1/‖x‖ and torch's float32 rounding noise exceeds any fair tolerance."""
    return (a + np.where(a >= 0, 0.5, -0.5)).astype(a.dtype)


def _t(lib, a):
    """A tensor of ``lib`` from a hyperparameter array (None stays None)."""
    return None if a is None else lib.tensor(np.array(a, copy=True))


RED = st.sampled_from(["none", "mean", "sum"])

# ---- layers ------------------------------------------------------------------------------------
spec("Linear",
     hparams=lambda d: {"i": d(st.integers(1, 6)), "o": d(st.integers(1, 6)),
                        "b": d(st.booleans())},
     build=lambda lib, hp: lib.nn.Linear(hp["i"], hp["o"], bias=hp["b"]),
     inputs=lambda d, hp, dt: [floats(d, dt, shape(d, 0, 2) + (hp["i"],))])
spec("Bilinear",
     hparams=lambda d: {"i": d(st.integers(1, 4)), "j": d(st.integers(1, 4)),
                        "o": d(st.integers(1, 4)), "b": d(st.booleans())},
     build=lambda lib, hp: lib.nn.Bilinear(hp["i"], hp["j"], hp["o"], bias=hp["b"]),
     inputs=lambda d, hp, dt: [floats(d, dt, (2, hp["i"])), floats(d, dt, (2, hp["j"]))])
spec("Identity", build=lambda lib, hp: lib.nn.Identity(3, k=1),
     inputs=lambda d, hp, dt: [floats(d, dt, shape(d, 0))])
spec("Flatten",
     hparams=lambda d: {"s": d(st.sampled_from([(1, -1), (0, -1), (0, 1), (-2, -1)]))},
     build=lambda lib, hp: lib.nn.Flatten(*hp["s"]),
     inputs=lambda d, hp, dt: [floats(d, dt, shape(d, 2, 4))])
spec("Unflatten", build=lambda lib, hp: lib.nn.Unflatten(1, (2, 3)),
     inputs=lambda d, hp, dt: [floats(d, dt, (d(st.integers(1, 3)), 6) + shape(d, 0, 1))])
spec("Sequential",
     hparams=lambda d: {"h": d(st.integers(1, 5))},
     build=lambda lib, hp: lib.nn.Sequential(
         lib.nn.Linear(3, hp["h"]), lib.nn.ReLU(), lib.nn.BatchNorm1d(hp["h"]),
         lib.nn.Dropout(0.0), lib.nn.Linear(hp["h"], 2), lib.nn.LogSoftmax(dim=1)),
     # rows pushed apart as for the BatchNorm specs: a batch of (nearly) equal rows has ~0
     # variance, and BatchNorm then divides rounding noise by √eps (ill-conditioned, not a bug)
     inputs=lambda d, hp, dt: _spread_rows(floats(d, dt, (d(st.integers(2, 5)), 3))))
spec("Dropout", variant="p0_or_eval",
     hparams=lambda d: {"p": d(st.sampled_from([0.0, 0.3, 0.5]))},
     build=lambda lib, hp: lib.nn.Dropout(hp["p"]).train(hp["p"] == 0.0),
     inputs=lambda d, hp, dt: [floats(d, dt, shape(d, 0))], modes=("as_built",))


def _bn_hp(d):
    return {"C": d(st.integers(1, 4)), "eps": d(st.sampled_from([1e-5, 1e-1])),
            "momentum": d(st.sampled_from([0.1, 0.5, None])), "affine": d(st.booleans()),
            "track": d(st.booleans())}


def _bn_build(cls):
    return lambda lib, hp: getattr(lib.nn, cls)(hp["C"], eps=hp["eps"], momentum=hp["momentum"],
                                                affine=hp["affine"],
                                                track_running_stats=hp["track"])


def _bn_input(extra):
    def inputs(d, hp, dt):
        N = d(st.integers(2, 5))
        x = floats(d, dt, (N, hp["C"]) + extra(d))
        return [(x + 20 * np.arange(N).reshape((N,) + (1,) * (x.ndim - 1))).astype(dt)]

    return inputs


spec("BatchNorm1d", variant="2d", hparams=_bn_hp, build=_bn_build("BatchNorm1d"),
     inputs=_bn_input(lambda d: ()))
spec("BatchNorm1d", variant="3d", hparams=_bn_hp, build=_bn_build("BatchNorm1d"),
     inputs=_bn_input(lambda d: (d(st.integers(1, 4)),)))
spec("BatchNorm2d", hparams=_bn_hp, build=_bn_build("BatchNorm2d"),
     inputs=_bn_input(lambda d: (d(st.integers(1, 3)), d(st.integers(1, 3)))))

spec("BatchNorm3d", hparams=_bn_hp, build=_bn_build("BatchNorm3d"),
     inputs=_bn_input(lambda d: (d(st.integers(1, 2)), d(st.integers(1, 2)), 2)))


def _ramp(x):
    """A ramp along the last axis: no (nearly) constant instance or group, whose ~0 variance
    would make the normalization divide rounding noise by √eps."""
    return [(x + 20 * np.arange(x.shape[-1])).astype(x.dtype)]


for _d in (1, 2, 3):
    spec(f"InstanceNorm{_d}d", hparams=_bn_hp, build=_bn_build(f"InstanceNorm{_d}d"),
         inputs=lambda d, hp, dt, _d=_d: _ramp(floats(d, dt, (d(st.integers(1, 3)), hp["C"])
                                                      + (1,) * (_d - 1) + (d(st.integers(2, 4)),))))
spec("GroupNorm",
     hparams=lambda d: {"G": d(st.integers(1, 2)), "k": d(st.integers(1, 2)),
                        "affine": d(st.booleans()), "eps": d(st.sampled_from([1e-5, 1e-2]))},
     build=lambda lib, hp: lib.nn.GroupNorm(hp["G"], hp["G"] * hp["k"], eps=hp["eps"],
                                            affine=hp["affine"]),
     inputs=lambda d, hp, dt: _ramp(floats(d, dt, (d(st.integers(1, 3)), hp["G"] * hp["k"],
                                                   d(st.integers(2, 4))))))
spec("RMSNorm",
     hparams=lambda d: {"shape": shape(d, 1, 2), "affine": d(st.booleans()),
                        "eps": d(st.sampled_from([None, 1e-5]))},
     build=lambda lib, hp: lib.nn.RMSNorm(hp["shape"], eps=hp["eps"],
                                          elementwise_affine=hp["affine"]),
     inputs=lambda d, hp, dt: [_off0(floats(d, dt, shape(d, 0, 2) + hp["shape"]))])
spec("LocalResponseNorm",
     hparams=lambda d: {"size": d(st.integers(1, 3)), "beta": d(st.sampled_from([0.75, 1.0]))},
     build=lambda lib, hp: lib.nn.LocalResponseNorm(hp["size"], alpha=0.1, beta=hp["beta"]),
     inputs=lambda d, hp, dt: [floats(d, dt, shape(d, 3, 4))])


def _ln_input(d, hp, dt):
    ns = hp["shape"]
    x = floats(d, dt, shape(d, 0, 2) + ns)
    return [(x + 20 * np.arange(int(np.prod(ns))).reshape(ns)).astype(dt)]


spec("LayerNorm",
     hparams=lambda d: {"shape": shape(d, 1, 2), "affine": d(st.booleans()),
                        "bias": d(st.booleans()), "eps": d(st.sampled_from([1e-5, 1e-2]))},
     build=lambda lib, hp: lib.nn.LayerNorm(hp["shape"], eps=hp["eps"],
                                            elementwise_affine=hp["affine"], bias=hp["bias"]),
     inputs=_ln_input)

# ---- activations ---------------------------------------------------------------------------------
_ANY = lambda d, hp, dt: [floats(d, dt, shape(d, 0))]  # noqa: E731
spec("ReLU", build=lambda lib, hp: lib.nn.ReLU(), inputs=_ANY)
spec("LeakyReLU", hparams=lambda d: {"s": d(st.sampled_from([0.01, 0.2, -0.5]))},
     build=lambda lib, hp: lib.nn.LeakyReLU(hp["s"]), inputs=_ANY)
spec("PReLU",
     hparams=lambda d: {"n": d(st.sampled_from([1, 3])), "init": d(st.sampled_from([0.25, -1.5]))},
     build=lambda lib, hp: lib.nn.PReLU(hp["n"], init=hp["init"]),
     inputs=lambda d, hp, dt: [floats(d, dt, (d(st.integers(1, 3)), 3) + shape(d, 0, 2))])
spec("PReLU", variant="1d_single", build=lambda lib, hp: lib.nn.PReLU(), inputs=_ANY)
spec("Sigmoid", build=lambda lib, hp: lib.nn.Sigmoid(), inputs=_ANY)
spec("Tanh", build=lambda lib, hp: lib.nn.Tanh(), inputs=_ANY)
spec("SiLU", build=lambda lib, hp: lib.nn.SiLU(), inputs=_ANY)
spec("GELU", hparams=lambda d: {"a": d(st.sampled_from(["none", "tanh"]))},
     build=lambda lib, hp: lib.nn.GELU(hp["a"]), inputs=_ANY)
spec("ELU", hparams=lambda d: {"a": d(st.sampled_from([1.0, 0.5, 2.0]))},
     build=lambda lib, hp: lib.nn.ELU(hp["a"]), inputs=_ANY)
spec("Softplus",
     hparams=lambda d: {"b": d(st.sampled_from([1.0, 2.0])), "t": d(st.sampled_from([20.0, 2.0]))},
     build=lambda lib, hp: lib.nn.Softplus(hp["b"], hp["t"]), inputs=_ANY)
for _cls in ("ReLU6", "Hardsigmoid", "Hardswish", "SELU", "Mish", "Softsign", "LogSigmoid",
             "Tanhshrink"):
    spec(_cls, build=lambda lib, hp, c=_cls: getattr(lib.nn, c)(), inputs=_ANY)
spec("Hardtanh", hparams=lambda d: {"lo": d(st.sampled_from([-1.0, -2.5])),
                                    "hi": d(st.sampled_from([1.0, 0.5]))},
     build=lambda lib, hp: lib.nn.Hardtanh(hp["lo"], hp["hi"]), inputs=_ANY)
spec("Threshold", hparams=lambda d: {"t": d(st.sampled_from([0.0, 1.5])),
                                     "v": d(st.sampled_from([-1.0, 2.0]))},
     build=lambda lib, hp: lib.nn.Threshold(hp["t"], hp["v"]), inputs=_ANY)
spec("CELU", hparams=lambda d: {"a": d(st.sampled_from([1.0, 0.5, 2.0]))},
     build=lambda lib, hp: lib.nn.CELU(hp["a"]), inputs=_ANY)
for _cls in ("Hardshrink", "Softshrink"):
    spec(_cls, hparams=lambda d: {"l": d(st.sampled_from([0.5, 0.0, 1.5]))},
         build=lambda lib, hp, c=_cls: getattr(lib.nn, c)(hp["l"]), inputs=_ANY)
spec("RReLU", modes=("eval",),  # training draws random slopes (torch's generator differs)
     build=lambda lib, hp: lib.nn.RReLU(0.1, 0.3), inputs=_ANY)
spec("GLU", hparams=lambda d: {"dim": d(st.sampled_from([0, -1]))},
     build=lambda lib, hp: lib.nn.GLU(hp["dim"]),
     inputs=lambda d, hp, dt: [floats(d, dt, (2 * d(st.integers(1, 2)), 4))])
spec("Softmin", hparams=lambda d: {"dim": d(st.sampled_from([0, 1, -1]))},
     build=lambda lib, hp: lib.nn.Softmin(dim=hp["dim"]),
     inputs=lambda d, hp, dt: [floats(d, dt, shape(d, 2), -20, 20)])
spec("Softmax2d", build=lambda lib, hp: lib.nn.Softmax2d(),
     inputs=lambda d, hp, dt: [floats(d, dt, shape(d, 3, 4), -20, 20)])
spec("PairwiseDistance", hparams=lambda d: {"p": d(st.sampled_from([2.0, 1.0, 3.0]))},
     build=lambda lib, hp: lib.nn.PairwiseDistance(hp["p"]), grad_inputs=(0, 1),
     inputs=lambda d, hp, dt: (lambda s: [_off0(floats(d, dt, s)), floats(d, dt, s)])(
         (d(st.integers(1, 3)), d(st.integers(1, 4)))))
for _cls in ("Softmax", "LogSoftmax"):
    spec(_cls, hparams=lambda d: {"dim": d(st.sampled_from([0, 1, -1]))},
         build=lambda lib, hp, c=_cls: getattr(lib.nn, c)(dim=hp["dim"]),
         inputs=lambda d, hp, dt: [floats(d, dt, shape(d, 2), -20, 20)])


# ---- losses (module form) -----------------------------------------------------------------------
def _pair(lo=-5.0, hi=5.0, tlo=-5.0, thi=5.0):
    def inputs(d, hp, dt):
        s = shape(d, 0)
        return [floats(d, dt, s, lo, hi), floats(d, dt, s, tlo, thi)]

    return inputs


spec("MSELoss", hparams=lambda d: {"r": d(RED)}, grad_inputs=(0, 1),
     build=lambda lib, hp: lib.nn.MSELoss(reduction=hp["r"]), inputs=_pair())
spec("L1Loss", hparams=lambda d: {"r": d(RED)}, grad_inputs=(0, 1),
     build=lambda lib, hp: lib.nn.L1Loss(reduction=hp["r"]), inputs=_pair())
spec("SmoothL1Loss",
     hparams=lambda d: {"r": d(RED), "beta": d(st.sampled_from([0.0, 0.5, 1.0, 2.0]))},
     build=lambda lib, hp: lib.nn.SmoothL1Loss(reduction=hp["r"], beta=hp["beta"]),
     inputs=_pair(), grad_inputs=(0, 1))
spec("BCELoss", hparams=lambda d: {"r": d(RED)}, grad_inputs=(0, 1),
     build=lambda lib, hp: lib.nn.BCELoss(reduction=hp["r"]), inputs=_pair(0.0, 1.0, 0.0, 1.0))


def _bcel_hp(d):
    c = d(st.integers(1, 4))
    return {"r": d(RED), "C": c,
            "w": np.array(d(st.lists(st.floats(0.25, 2), min_size=c, max_size=c)))
            if d(st.booleans()) else None,
            "pw": np.array(d(st.lists(st.floats(0.25, 4), min_size=c, max_size=c)))
            if d(st.booleans()) else None}


def _bcel_in(d, hp, dt):
    s = (d(st.integers(1, 3)), hp["C"])
    return [floats(d, dt, s, -20, 20), floats(d, dt, s, 0.0, 1.0)]


spec("BCEWithLogitsLoss", hparams=_bcel_hp, grad_inputs=(0, 1), inputs=_bcel_in,
     build=lambda lib, hp: lib.nn.BCEWithLogitsLoss(_t(lib, hp["w"]), reduction=hp["r"],
                                                    pos_weight=_t(lib, hp["pw"])))


def _class_hp(d):
    c = d(st.integers(2, 5))
    return {"r": d(RED), "C": c, "ignore": d(st.sampled_from([-100, 1])),
            "ls": d(st.sampled_from([0.0, 0.1])),
            "w": np.array(d(st.lists(st.floats(0.25, 2), min_size=c, max_size=c)))
            if d(st.booleans()) else None}


def _class_in(d, hp, dt):
    N, C = d(st.integers(1, 4)), hp["C"]
    extra = shape(d, 0, 2, 3)
    x = floats(d, dt, (N, C) + extra, -10, 10)
    t = np.array(d(st.lists(st.integers(0, C - 1), min_size=N * int(np.prod(extra)),
                            max_size=N * int(np.prod(extra)))), dtype=np.int64)
    t = t.reshape((N,) + extra)
    if (t == hp["ignore"]).all():
        t.reshape(-1)[0] = 0
    return [x, t]


spec("CrossEntropyLoss", hparams=_class_hp, inputs=_class_in,
     build=lambda lib, hp: lib.nn.CrossEntropyLoss(_t(lib, hp["w"]), ignore_index=hp["ignore"],
                                                   reduction=hp["r"], label_smoothing=hp["ls"]))
spec("NLLLoss", hparams=_class_hp, inputs=_class_in,
     build=lambda lib, hp: lib.nn.NLLLoss(_t(lib, hp["w"]), ignore_index=hp["ignore"],
                                          reduction=hp["r"]))
spec("CosineSimilarity",
     hparams=lambda d: {"dim": d(st.sampled_from([0, 1, -1])), "eps": 1e-8},
     build=lambda lib, hp: lib.nn.CosineSimilarity(hp["dim"], hp["eps"]), grad_inputs=(0, 1),
     inputs=lambda d, hp, dt: (lambda s: [_off0(floats(d, dt, s)), _off0(floats(d, dt, s))])(
         shape(d, 2, 3)))


# ---- conv / pooling / embedding / recurrent layers (nn/conv.py, nn/embedding.py, nn/rnn.py) ----
def _img(d, hp, dt):
    return [floats(d, dt, (d(st.integers(1, 2)), hp["cin"], d(st.integers(4, 6)),
                           d(st.integers(4, 6))))]


spec("Conv2d",
     hparams=lambda d: {"cin": d(st.integers(1, 3)), "cout": d(st.integers(1, 3)),
                        "k": d(st.sampled_from([1, 2, 3, (2, 3)])), "s": d(st.sampled_from([1, 2])),
                        "p": d(st.sampled_from([0, 1])), "b": d(st.booleans())},
     build=lambda lib, hp: lib.nn.Conv2d(hp["cin"], hp["cout"], hp["k"], stride=hp["s"],
                                         padding=hp["p"], bias=hp["b"]),
     inputs=_img)
def _pool_hp(d):
    return {"cin": 2, "k": d(st.sampled_from([2, 3])), "s": d(st.sampled_from([None, 1]))}


spec("MaxPool2d",
     hparams=_pool_hp,
     build=lambda lib, hp: lib.nn.MaxPool2d(hp["k"], stride=hp["s"]), inputs=_img)
spec("AvgPool2d",
     hparams=_pool_hp,
     build=lambda lib, hp: lib.nn.AvgPool2d(hp["k"], stride=hp["s"]), inputs=_img)
# 1-, 2- and 3-D forms: one spec each, the spatial size drawn per dimension
def _nd_img(dim, lo=3, hi=5):
    def inputs(d, hp, dt):
        space = tuple(d(st.integers(lo, hi)) for _ in range(dim))
        return [floats(d, dt, (d(st.integers(1, 2)), hp["cin"]) + space)]
    return inputs


for _d in (1, 2, 3):
    if _d != 2:
        spec(f"Conv{_d}d",
             hparams=lambda d: {"cin": 2 * d(st.integers(1, 2)), "cout": 2 * d(st.integers(1, 2)),
                                "k": d(st.sampled_from([1, 2, 3])), "s": d(st.sampled_from([1, 2])),
                                "p": d(st.sampled_from([0, 1])), "g": d(st.sampled_from([1, 2])),
                                "mode": d(st.sampled_from(["zeros", "reflect", "circular"])),
                                "b": d(st.booleans())},
             build=lambda lib, hp, _d=_d: getattr(lib.nn, f"Conv{_d}d")(
                 hp["cin"], hp["cout"], hp["k"], stride=hp["s"], padding=hp["p"],
                 groups=hp["g"], bias=hp["b"], padding_mode=hp["mode"]),
             inputs=_nd_img(_d))
        spec(f"MaxPool{_d}d", hparams=_pool_hp, inputs=_nd_img(_d),
             build=lambda lib, hp, _d=_d: getattr(lib.nn, f"MaxPool{_d}d")(hp["k"], hp["s"]))
        spec(f"AvgPool{_d}d", hparams=_pool_hp, inputs=_nd_img(_d),
             build=lambda lib, hp, _d=_d: getattr(lib.nn, f"AvgPool{_d}d")(hp["k"], hp["s"]))
    spec(f"ConvTranspose{_d}d",
         hparams=lambda d: {"cin": 2 * d(st.integers(1, 2)), "cout": 2 * d(st.integers(1, 2)),
                            "k": d(st.sampled_from([1, 2, 3])), "s": d(st.sampled_from([1, 2])),
                            "p": d(st.sampled_from([0, 1])), "g": d(st.sampled_from([1, 2])),
                            "b": d(st.booleans())},
         build=lambda lib, hp, _d=_d: getattr(lib.nn, f"ConvTranspose{_d}d")(
             hp["cin"], hp["cout"], hp["k"], stride=hp["s"], padding=min(hp["p"], hp["k"] - 1),
             output_padding=hp["s"] - 1, groups=hp["g"], bias=hp["b"]),
         inputs=_nd_img(_d, 2, 4))
    spec(f"LPPool{_d}d", hparams=lambda d: {"cin": 2, "p": d(st.sampled_from([1.0, 2.0, 3.0])),
                                           "k": d(st.sampled_from([2, 3]))},
         build=lambda lib, hp, _d=_d: getattr(lib.nn, f"LPPool{_d}d")(hp["p"], hp["k"]),
         inputs=lambda d, hp, dt, _d=_d: [np.abs(_off0(_nd_img(_d)(d, hp, dt)[0]))])
    for _kind in ("Avg", "Max"):
        spec(f"Adaptive{_kind}Pool{_d}d",
             hparams=lambda d: {"cin": 2, "o": d(st.integers(1, 4))},
             build=lambda lib, hp, _d=_d, _kind=_kind: getattr(
                 lib.nn, f"Adaptive{_kind}Pool{_d}d")(hp["o"]),
             inputs=_nd_img(_d, 1, 6))
    spec(f"MaxUnpool{_d}d", hparams=lambda d: {"k": d(st.sampled_from([1, 2, 3]))},
         build=lambda lib, hp, _d=_d: getattr(lib.nn, f"MaxUnpool{_d}d")(hp["k"]),
         inputs=lambda d, hp, dt, _d=_d: _unpool_in(d, hp, dt, _d))
    if _d > 1:
        spec(f"FractionalMaxPool{_d}d",
             hparams=lambda d, _d=_d: {"k": d(st.sampled_from([1, 2])), "o": d(st.integers(1, 2)),
                                       "u": np.random.default_rng(d(st.integers(0, 99))).random(
                                           (2, 2, _d))},
             build=lambda lib, hp, _d=_d: getattr(lib.nn, f"FractionalMaxPool{_d}d")(
                 hp["k"], output_size=hp["o"], _random_samples=_t(lib, hp["u"])),
             inputs=lambda d, hp, dt, _d=_d: [floats(d, dt, (2, 2) + (4,) * _d)])


def _unpool_in(d, hp, dt, dim):
    """Values and indices as max_pool's (one index per non-overlapping window, no repeats)."""
    k, space = hp["k"], tuple(d(st.integers(1, 3)) for _ in range(dim))
    lead = (d(st.integers(1, 2)), 2)
    x = floats(d, dt, lead + space)
    offs = [np.array(d(hnp.arrays(np.int64, lead + space, elements=st.integers(0, k - 1))))
            for _ in range(dim)]
    idx = np.zeros(lead + space, dtype=np.int64)
    for a in range(dim):
        pos = np.arange(space[a]).reshape((-1,) + (1,) * (dim - a - 1)) * k + offs[a]
        idx = idx * (space[a] * k) + pos
    return [x, idx]


spec("Upsample",
     hparams=lambda d: d(st.sampled_from([
         {"size": 5, "mode": "nearest"}, {"scale_factor": 1.5, "mode": "nearest-exact"},
         {"scale_factor": (2.0, 0.5), "mode": "bilinear", "align_corners": True},
         {"size": (3, 5), "mode": "bicubic"}, {"scale_factor": 0.5, "mode": "area"}])),
     build=lambda lib, hp: lib.nn.Upsample(**hp),
     inputs=lambda d, hp, dt: [floats(d, dt, (d(st.integers(1, 2)), 2, d(st.integers(2, 5)),
                                              d(st.integers(2, 5))))])
spec("UpsamplingNearest2d", build=lambda lib, hp: lib.nn.UpsamplingNearest2d(scale_factor=2),
     inputs=lambda d, hp, dt: [floats(d, dt, (1, 2, d(st.integers(1, 4)), 3))])
spec("UpsamplingBilinear2d", build=lambda lib, hp: lib.nn.UpsamplingBilinear2d((4, 3)),
     inputs=lambda d, hp, dt: [floats(d, dt, (1, 2, d(st.integers(1, 4)), 3))])
spec("Unfold",
     hparams=lambda d: {"cin": 2, "k": d(st.sampled_from([1, 2, (2, 3)])),
                        "p": d(st.sampled_from([0, 1])), "s": d(st.sampled_from([1, 2]))},
     build=lambda lib, hp: lib.nn.Unfold(hp["k"], padding=hp["p"], stride=hp["s"]),
     inputs=_nd_img(2))
spec("Fold",
     hparams=lambda d: {"k": d(st.sampled_from([1, 2])), "s": d(st.sampled_from([1, 2]))},
     build=lambda lib, hp: lib.nn.Fold((5, 4), hp["k"], stride=hp["s"]),
     inputs=lambda d, hp, dt: [floats(d, dt, (d(st.integers(1, 2)), 2 * hp["k"] ** 2,
                                              ((5 - hp["k"]) // hp["s"] + 1)
                                              * ((4 - hp["k"]) // hp["s"] + 1)))])
for _d in (1, 2, 3):  # the padding layers: sizes up to 2 (reflect: below each side of 3-4)
    for _cls, _extra in (("ConstantPad", (1.5,)), ("ZeroPad", ()), ("ReflectionPad", ()),
                         ("ReplicationPad", ()), ("CircularPad", ())):
        spec(f"{_cls}{_d}d",
             hparams=lambda d, n=2 * _d: {"pad": d(st.one_of(st.integers(0, 2), st.tuples(
                 *[st.integers(-1, 2)] * n)))},
             build=lambda lib, hp, name=f"{_cls}{_d}d", extra=_extra: getattr(lib.nn, name)(
                 hp["pad"], *extra),
             inputs=lambda d, hp, dt, n=_d: [floats(d, dt, (d(st.integers(1, 2)), 2) + tuple(
                 d(st.integers(3, 4)) for _ in range(n)))])
spec("PixelShuffle", hparams=lambda d: {"r": d(st.integers(1, 3))},
     build=lambda lib, hp: lib.nn.PixelShuffle(hp["r"]),
     inputs=lambda d, hp, dt: [floats(d, dt, (d(st.integers(1, 2)), 2 * hp["r"] ** 2, 2, 3))])
spec("PixelUnshuffle", hparams=lambda d: {"r": d(st.integers(1, 2))},
     build=lambda lib, hp: lib.nn.PixelUnshuffle(hp["r"]),
     inputs=lambda d, hp, dt: [floats(d, dt, (2, 3 * hp["r"], 2 * hp["r"]))])
spec("ChannelShuffle", hparams=lambda d: {"g": d(st.sampled_from([1, 2, 3]))},
     build=lambda lib, hp: lib.nn.ChannelShuffle(hp["g"]),
     inputs=lambda d, hp, dt: [floats(d, dt, (2, 6, d(st.integers(1, 3)), 2))])
spec("Embedding",
     hparams=lambda d: {"n": d(st.integers(2, 6)), "dim": d(st.integers(1, 4)),
                        "pad": d(st.sampled_from([None, 0]))},
     build=lambda lib, hp: lib.nn.Embedding(hp["n"], hp["dim"], padding_idx=hp["pad"]),
     inputs=lambda d, hp, dt: [np.array(d(st.lists(st.integers(0, hp["n"] - 1), min_size=1,
                                                   max_size=6)), dtype=np.int64)],
     grad_inputs=())


def _rnn_in(d, hp, dt):
    T, N = d(st.integers(1, 4)), d(st.integers(1, 3))
    shape = (N, T, 3) if hp["bf"] else (T, N, 3)
    return [floats(d, dt, shape, -2, 2)]


for _cls in ("RNN", "LSTM", "GRU"):
    spec(_cls,
         hparams=lambda d: {"h": d(st.integers(1, 4)), "layers": d(st.integers(1, 2)),
                            "bf": d(st.booleans()), "bias": d(st.booleans())},
         build=lambda lib, hp, c=_cls: getattr(lib.nn, c)(3, hp["h"], num_layers=hp["layers"],
                                                          batch_first=hp["bf"], bias=hp["bias"]),
         inputs=_rnn_in)


for _cls in ("RNNCell", "LSTMCell", "GRUCell"):
    spec(_cls,
         hparams=lambda d: {"h": d(st.integers(1, 4)), "bias": d(st.booleans()),
                            "n": d(st.integers(1, 3))},
         build=lambda lib, hp, c=_cls: getattr(lib.nn, c)(3, hp["h"], bias=hp["bias"]),
         inputs=lambda d, hp, dt: [floats(d, dt, (hp["n"], 3), -2, 2)])
for _cls in ("Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"):
    spec(_cls, variant="eval",  # train mode (torch's masks) is compared in test_seq_models.py
         build=lambda lib, hp, c=_cls: getattr(lib.nn, c)(0.5),
         inputs=lambda d, hp, dt: [floats(d, dt, (2, 3, 2, 2, 2)[:3])], modes=("eval",))


def _feat(d, dt, shp):
    """Features spread by 0.7 apart: a constant row makes LayerNorm's x − mean exactly 0 here
    and float32 rounding noise in torch (see _ln_input)."""
    return (floats(d, dt, shp, -2, 2) + 0.7 * np.arange(shp[-1])).astype(dt)


def _seq_in(*lens, e=4):
    def inputs(d, hp, dt):
        n = d(st.integers(1, 2))
        return [_feat(d, dt, (n, d(st.integers(1, 3)), e)) for _ in lens]

    return inputs


_ENC = {"dim_feedforward": 8, "dropout": 0.0, "batch_first": True}
spec("MultiheadAttention",
     hparams=lambda d: {"bias": d(st.booleans()), "zero": d(st.booleans())},
     build=lambda lib, hp: lib.nn.MultiheadAttention(4, 2, bias=hp["bias"], batch_first=True,
                                                     add_zero_attn=hp["zero"]),
     inputs=lambda d, hp, dt: (lambda n, s: [_feat(d, dt, (n, 2, 4))] + [
         _feat(d, dt, (n, s, 4)) for _ in range(2)])(d(st.integers(1, 2)),
                                                             d(st.integers(1, 3))),
     grad_inputs=(0, 1, 2))
spec("TransformerEncoderLayer",
     hparams=lambda d: {"nf": d(st.booleans()), "act": d(st.sampled_from(["relu", "gelu"]))},
     build=lambda lib, hp: lib.nn.TransformerEncoderLayer(4, 2, norm_first=hp["nf"],
                                                          activation=hp["act"], **_ENC),
     inputs=_seq_in(0))
spec("TransformerDecoderLayer",
     hparams=lambda d: {"nf": d(st.booleans())},
     build=lambda lib, hp: lib.nn.TransformerDecoderLayer(4, 2, norm_first=hp["nf"], **_ENC),
     inputs=lambda d, hp, dt: [_feat(d, dt, (2, d(st.integers(1, 3)), 4))
                               for _ in range(2)], grad_inputs=(0, 1))
spec("TransformerEncoder",
     build=lambda lib, hp: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2, **_ENC),
                                                     2, enable_nested_tensor=False),
     inputs=_seq_in(0))
spec("TransformerDecoder",
     build=lambda lib, hp: lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(4, 2, **_ENC),
                                                     2, norm=lib.nn.LayerNorm(4)),
     inputs=lambda d, hp, dt: [_feat(d, dt, (2, d(st.integers(1, 3)), 4))
                               for _ in range(2)], grad_inputs=(0, 1))
spec("Transformer",
     build=lambda lib, hp: lib.nn.Transformer(4, 2, 1, 1, **_ENC),
     inputs=lambda d, hp, dt: [_feat(d, dt, (2, d(st.integers(1, 3)), 4))
                               for _ in range(2)], grad_inputs=(0, 1))
EXEMPT["RNNCellBase"] = "the base class of RNNCell/LSTMCell/GRUCell, which have specs"
EXEMPT.update({
    **{name: "a lazy convolution: proven by torch's own ModuleInfo for it "
             "(test_torch_modules.py: the first forward draws torch's weights from the seed)"
       for name in ("LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
                    "LazyConvTranspose2d", "LazyConvTranspose3d")},
    "LazyLinear": "test_vision_lazy.py: torch's weights from the same seed, output, becomes Linear",
    "LazyModuleMixin": "the base of the Lazy modules, which are tested",
    "UninitializedParameter": "a Tensor subclass, not a Module: tested in test_vision_lazy.py",
    "UninitializedBuffer": "a Tensor subclass, not a Module: test_errors_misuse.py",
    "LinearCrossEntropyLoss": "proven by torch's own ModuleInfo for it (test_torch_modules.py)",
    "LinearCrossEntropyOptions": "a dataclass of options, not a Module: test_vision_lazy.py",
})
