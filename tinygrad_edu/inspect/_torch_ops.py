"""Each of our Function classes as a torch call, for :func:`compare_with_torch`.

``TORCH_OPS[name](torch, F, args, kwargs)`` receives the recorded forward arguments with our
tensors already converted to torch tensors (arrays too), and returns torch's output.
"""

from __future__ import annotations

import numpy as np


def _all(x, axes):
    return tuple(range(x.ndim)) if axes is None else tuple(axes)


def _dt(torch, d):
    return getattr(torch, np.dtype(d).name)


def _idx(torch, idx):
    if isinstance(idx, tuple):
        return tuple(_idx(torch, i) for i in idx)
    if isinstance(idx, np.ndarray):
        return torch.from_numpy(idx)
    return idx


def _w(torch, x, like):
    """A scalar operand as a tensor of ``like``'s dtype (torch.where/maximum want tensors)."""
    if hasattr(x, "shape"):
        return x
    return torch.tensor(x, dtype=like.dtype)


TORCH_OPS = {
    # elementwise
    "Add": lambda T, F, a, k: a[0] + a[1],
    "Sub": lambda T, F, a, k: a[0] - a[1],
    "Mul": lambda T, F, a, k: a[0] * a[1],
    "Div": lambda T, F, a, k: a[0] / a[1],
    "Neg": lambda T, F, a, k: -a[0],
    "Pow": lambda T, F, a, k: a[0] ** a[1],
    "Exp": lambda T, F, a, k: T.exp(a[0]),
    "Log": lambda T, F, a, k: T.log(a[0]),
    "Log1p": lambda T, F, a, k: T.log1p(a[0]),
    "Sqrt": lambda T, F, a, k: T.sqrt(a[0]),
    "Abs": lambda T, F, a, k: T.abs(a[0]),
    "Sin": lambda T, F, a, k: T.sin(a[0]),
    "Cos": lambda T, F, a, k: T.cos(a[0]),
    "Maximum": lambda T, F, a, k: T.maximum(a[0], _w(T, a[1], a[0])),
    "Minimum": lambda T, F, a, k: T.minimum(a[0], _w(T, a[1], a[0])),
    "Clamp": lambda T, F, a, k: T.clamp(a[0], a[1], a[2]),
    "Where": lambda T, F, a, k: T.where(
        a[0].bool(),
        *(
            (_w(T, a[1], a[2]), _w(T, a[2], a[1]))
            if hasattr(a[1], "shape") or hasattr(a[2], "shape")
            else (T.tensor(a[1]), T.tensor(a[2]))
        ),
    ),
    "Cast": lambda T, F, a, k: a[0].to(_dt(T, a[1])),
    "Clone": lambda T, F, a, k: a[0].clone(),
    "Tril": lambda T, F, a, k: T.tril(a[0], a[1]),
    "Triu": lambda T, F, a, k: T.triu(a[0], a[1]),
    "Diag": lambda T, F, a, k: T.diag(a[0], a[1]),
    # activations
    "Relu": lambda T, F, a, k: T.relu(a[0]),
    "LeakyRelu": lambda T, F, a, k: F.leaky_relu(a[0], a[1]),
    "Prelu": lambda T, F, a, k: F.prelu(a[0], a[1]),
    "Sigmoid": lambda T, F, a, k: T.sigmoid(a[0]),
    "Tanh": lambda T, F, a, k: T.tanh(a[0]),
    "Softmax": lambda T, F, a, k: T.softmax(a[0], a[1]),
    "LogSoftmax": lambda T, F, a, k: T.log_softmax(a[0], a[1]),
    "Elu": lambda T, F, a, k: F.elu(a[0], a[1]),
    "Gelu": lambda T, F, a, k: F.gelu(
        a[0], approximate=a[1] if isinstance(a[1], str) else ("tanh" if a[1] else "none")
    ),
    "Silu": lambda T, F, a, k: F.silu(a[0]),
    "Softplus": lambda T, F, a, k: F.softplus(a[0], a[1], a[2]),
    # matmul
    "MatMul": lambda T, F, a, k: a[0] @ a[1],
    "Linear": lambda T, F, a, k: F.linear(*a),
    # reductions
    "Sum": lambda T, F, a, k: T.sum(a[0], dim=_all(a[0], a[1]), keepdim=a[2]),
    "Mean": lambda T, F, a, k: T.mean(a[0], dim=_all(a[0], a[1]), keepdim=a[2]),
    "Prod": lambda T, F, a, k: T.prod(a[0]) if a[1] is None else T.prod(a[0], a[1], a[2]),
    "Amax": lambda T, F, a, k: (T.amin if a[3] else T.amax)(a[0], _all(a[0], a[1]), a[2]),
    "Var": lambda T, F, a, k: T.var(a[0], dim=_all(a[0], a[1]), correction=a[2], keepdim=a[3]),
    "Logsumexp": lambda T, F, a, k: T.logsumexp(a[0], _all(a[0], a[1]), a[2]),
    "Norm": lambda T, F, a, k: T.linalg.vector_norm(a[0], a[1], _all(a[0], a[2]), a[3]),
    # shape and indexing
    "Reshape": lambda T, F, a, k: a[0].reshape(a[1]),
    "Permute": lambda T, F, a, k: a[0].permute(*a[1]),
    "Expand": lambda T, F, a, k: a[0].expand(*a[1]),
    "Repeat": lambda T, F, a, k: a[0].repeat(*a[1]),
    "Cat": lambda T, F, a, k: T.cat(a, k.get("axis", 0)),
    "Stack": lambda T, F, a, k: T.stack(a, k.get("axis", 0)),
    "GetItem": lambda T, F, a, k: a[0][_idx(T, a[1])],
    "Gather": lambda T, F, a, k: T.gather(a[0], a[2], a[1].long()),
    "MaskedFill": lambda T, F, a, k: a[0].masked_fill(a[1].bool(), a[2]),
    # losses
    "MseLoss": lambda T, F, a, k: F.mse_loss(a[0], a[1], reduction=a[2]),
    "L1Loss": lambda T, F, a, k: F.l1_loss(a[0], a[1], reduction=a[2]),
    "SmoothL1Loss": lambda T, F, a, k: F.smooth_l1_loss(a[0], a[1], reduction=a[2], beta=a[3]),
    "BinaryCrossEntropy": lambda T, F, a, k: F.binary_cross_entropy(a[0], a[1], weight=a[2],
                                                                    reduction=a[3]),
    "BinaryCrossEntropyWithLogits": lambda T, F, a, k: F.binary_cross_entropy_with_logits(
        a[0], a[1], weight=a[2], pos_weight=a[3], reduction=a[4]
    ),
    "NllLoss": lambda T, F, a, k: F.nll_loss(
        a[0], a[1].long(), weight=a[2], ignore_index=a[3], reduction=a[4]
    ),
    "CrossEntropy": lambda T, F, a, k: F.cross_entropy(
        a[0], a[1].long(), weight=a[2], ignore_index=a[3], reduction=a[4], label_smoothing=a[5]
    ),
    "SoftCrossEntropy": lambda T, F, a, k: F.cross_entropy(
        a[0], a[1], weight=a[2], reduction=a[3], label_smoothing=a[4]
    ),
    "CosineSimilarity": lambda T, F, a, k: F.cosine_similarity(a[0], a[1], a[2], a[3]),
    "BatchNorm": lambda T, F, a, k: F.batch_norm(
        a[0],
        None if a[3] is None else a[3].clone(),
        None if a[4] is None else a[4].clone(),
        a[1],
        a[2],
        a[5],
        a[6],
        a[7],
    ),
    # convolution and pooling: our pads are (top, bottom, left, right), F.pad wants (l, r, t, b)
    "Convolution": lambda T, F, a, k: F.conv2d(
        F.pad(a[0], (a[4][2], a[4][3], a[4][0], a[4][1])), a[1], a[2], a[3], 0, a[5], a[6]
    ),
    # max pooling: our pads are (before, after) per spatial dim from the first; F.pad wants the
    # last dim first. Args: x, kernel, stride, pads, dilation, out size, (indices sink)
    "MaxPool": lambda T, F, a, k: getattr(F, f"max_pool{len(a[1])}d")(
        F.pad(a[0], tuple(v for i in reversed(range(len(a[1]))) for v in a[3][2 * i: 2 * i + 2]),
              value=-float("inf")),
        a[1], a[2], 0, a[4],
    )[(...,) + tuple(slice(0, o) for o in a[5])],
    "Dropout": lambda T, F, a, k: a[0] * a[1] * a[2],  # the recorded keep-mask, times 1/(1-p)
    "LayerNorm": lambda T, F, a, k: F.layer_norm(
        a[0], tuple(a[0].shape[-a[3] :]), a[1], a[2], a[4]
    ),
}
