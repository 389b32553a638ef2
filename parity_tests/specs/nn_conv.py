"""OpSpecs of the convolution, pooling and embedding functionals (``nn/conv.py``,
``nn/embedding.py``): conv2d, max_pool2d, avg_pool2d, lp_pool1d/2d/3d (which has no torch
OpInfo), fold and upsample (likewise), embedding.

Shapes, kernel sizes, strides, paddings ('same'/'valid' too), dilations, groups, ceil_mode,
count_include_pad, divisor_override, return_indices, padding_idx and repeated indices are drawn
by hypothesis; the spatial size is drawn relative to the effective kernel so every sample is
valid. Module forms are tested in test_nn_modules.py (module_registry.py) and test_nn_conv.py.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from registry import OpSpec, arrays, register


def _conv_sample(draw, dtype):
    G = draw(st.sampled_from([1, 1, 1, 2]))
    Cg, Og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = draw(st.sampled_from(["int", "pair", "same", "valid"]))
    if pad == "same" and stride != (1, 1):
        pad = "valid"
    padding = {"int": draw(st.integers(0, 2)), "pair": (draw(st.integers(0, 2)),
                                                         draw(st.integers(0, 1)))}.get(pad, pad)
    H = dil[0] * (kh - 1) + 1 + draw(st.integers(0, 3))
    W = dil[1] * (kw - 1) + 1 + draw(st.integers(0, 3))
    lead = () if draw(st.integers(0, 5)) == 0 else (draw(st.integers(1, 2)),)  # unbatched
    x = arrays(draw, dtype, lead + (G * Cg, H, W), -3, 3)
    w = arrays(draw, dtype, (G * Og, Cg, kh, kw), -3, 3)
    b = arrays(draw, dtype, (G * Og,), -3, 3) if draw(st.booleans()) else None
    return [x, w, b], {"stride": stride, "padding": padding, "dilation": dil, "groups": G}


register(OpSpec("conv2d", sample=_conv_sample, special=False, max_numel=150,
                fn=lambda m, x, w, b, **k: m.nn.functional.conv2d(x, w, b, **k)))


def _pool_geometry(draw, dilation=True):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.sampled_from([None, 1, 2, (1, 2), (3, 1)]))
    padding = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    # dilation with padding can make a window of padding only; torch then reports an index
    # outside the input (undefined behaviour we do not copy): no padding on dilated axes
    padding = tuple(p if d == 1 else 0 for p, d in zip(padding, dil))
    H = max(1, dil[0] * (kh - 1) + 1 - 2 * padding[0]) + draw(st.integers(0, 3))
    W = max(1, dil[1] * (kw - 1) + 1 - 2 * padding[1]) + draw(st.integers(0, 3))
    lead = () if draw(st.integers(0, 5)) == 0 else (draw(st.integers(1, 2)),)
    shape = lead + (draw(st.integers(1, 2)), H, W)
    return (kh, kw), stride, padding, dil, shape


def _max_pool_sample(draw, dtype):
    kernel, stride, padding, dil, shape = _pool_geometry(draw)
    x = arrays(draw, dtype, shape)
    return [x], {"kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dil,
                 "ceil_mode": draw(st.booleans()), "return_indices": draw(st.booleans())}


# "ties": values on a coarse grid, so torch's first-maximum rule is locked in
register(OpSpec("max_pool2d", sample=_max_pool_sample, kinks=("ties",), smooth=False,
                special_grad=True,
                fn=lambda m, x, **k: m.nn.functional.max_pool2d(x, **k)))


def _avg_pool_sample(draw, dtype):
    kernel, stride, padding, _, shape = _pool_geometry(draw, dilation=False)
    x = arrays(draw, dtype, shape)
    return [x], {"kernel_size": kernel, "stride": stride, "padding": padding,
                 "ceil_mode": draw(st.booleans()), "count_include_pad": draw(st.booleans()),
                 "divisor_override": draw(st.sampled_from([None, None, 1, 3]))}


register(OpSpec("avg_pool2d", sample=_avg_pool_sample, special=False, max_numel=60,
                fn=lambda m, x, **k: m.nn.functional.avg_pool2d(x, **k)))


def _embedding_sample(conventions):
    def sample(draw, dtype):
        n, d = draw(st.integers(1, 6)), draw(st.integers(1, 4))
        nd = draw(st.integers(0, 2))
        shape = tuple(draw(st.lists(st.integers(1, 4), min_size=nd, max_size=nd)))
        size = int(np.prod(shape))
        # few distinct rows: repeated indices are the rule, their gradients must add up
        idx = np.array(draw(st.lists(st.integers(0, min(n - 1, 2)), min_size=size,
                                     max_size=size)), dtype=np.int64).reshape(shape)
        kw = {}
        if conventions:  # torch's conventions, not derivatives: no finite-difference check
            kw["padding_idx"] = draw(st.integers(-n, n - 1))
            kw["scale_grad_by_freq"] = draw(st.booleans())
        return [idx, arrays(draw, dtype, (n, d))], kw

    return sample


def _emb(m, i, w, **k):
    return m.nn.functional.embedding(i, w, **k)


register(OpSpec("embedding", sample=_embedding_sample(False), grad_args=(1,), special=False,
                fn=_emb))
register(OpSpec("embedding", variant="padding_idx_freq", sample=_embedding_sample(True),
                grad_args=(1,), special=False, smooth=False, fn=_emb))


def _lp_pool_sample(d):
    def sample(draw, dtype):
        kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
        stride = draw(st.sampled_from([None, 1, 2]))
        space = tuple(k + draw(st.integers(0, 2)) for k in kernel)
        lead = () if draw(st.integers(0, 4)) == 0 else (draw(st.integers(1, 2)),)
        # positive inputs: xᵖ for a fractional p needs x ≥ 0, and 0 is lp_pool's kink
        x = arrays(draw, dtype, lead + (draw(st.integers(1, 2)),) + space, 0.5, 3)
        return [x, draw(st.sampled_from([1.0, 2.0, 3.0, 1.5]))], {
            "kernel_size": kernel if d > 1 else kernel[0],  # torch: lp_pool1d takes an int
            "stride": stride, "ceil_mode": draw(st.booleans())}

    return sample


for _d in (1, 2, 3):
    register(OpSpec(f"lp_pool{_d}d", sample=_lp_pool_sample(_d), special=False, max_numel=60,
                    fn=lambda m, x, p, _d=_d, **k: getattr(m.nn.functional,
                                                           f"lp_pool{_d}d")(x, p, **k)))


def _fold_sample(draw, dtype):
    """fold has no torch OpInfo: blocks drawn so they fit the output (some overlapping)."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    s = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dil = (draw(st.integers(1, 2)), 1)
    p = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    size = tuple(dl * (kk - 1) + 1 + draw(st.integers(0, 3)) for kk, dl in zip(k, dil))
    blocks = [(n + 2 * pp - dl * (kk - 1) - 1) // ss + 1
              for n, kk, ss, dl, pp in zip(size, k, s, dil, p)]
    lead = () if draw(st.integers(0, 4)) == 0 else (draw(st.integers(1, 2)),)
    x = arrays(draw, dtype, lead + (draw(st.integers(1, 2)) * k[0] * k[1],
                                    blocks[0] * blocks[1]))
    return [x], {"output_size": size, "kernel_size": k, "dilation": dil, "padding": p,
                 "stride": s}


register(OpSpec("fold", sample=_fold_sample, special=False, max_numel=80,
                fn=lambda m, x, **k: m.nn.functional.fold(x, **k)))


def _upsample_sample(draw, dtype):
    """F.upsample (deprecated in torch, no OpInfo) is interpolate under another name."""
    mode = draw(st.sampled_from(["nearest", "linear", "bilinear", "bicubic", "area"]))
    d = {"linear": 1, "bilinear": 2, "bicubic": 2}.get(mode, draw(st.integers(1, 2)))
    x = arrays(draw, dtype, (draw(st.integers(1, 2)), 2) + tuple(
        draw(st.integers(2, 4)) for _ in range(d)))
    kw = {"scale_factor": draw(st.sampled_from([0.5, 1.5, 2]))} if draw(st.booleans()) else {
        "size": tuple(draw(st.integers(1, 5)) for _ in range(d))}
    if mode in ("linear", "bilinear", "bicubic"):
        kw["align_corners"] = draw(st.booleans())
    return [x], dict(kw, mode=mode)


register(OpSpec("upsample", sample=_upsample_sample, special=False, max_numel=80,
                fn=lambda m, x, **k: m.nn.functional.upsample(x, **k)))
