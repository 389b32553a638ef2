"""``tg.nn.functional`` (F): activations, losses and layer functions in torch's names.

One module per family, as torch groups them: activations come straight from ``ops``; ``loss``,
``conv`` (convolutions), ``pooling`` and ``adaptive_pooling``, ``normalization``, ``padding``,
``pixelshuffle`` and ``sparse`` (embedding, embedding_bag, one_hot) hold the argument
checking in front of their ops; ``attention`` (scaled_dot_product_attention), ``mha``
(multi_head_attention_forward) and ``channel_dropout`` (dropout1d/2d/3d, alpha dropout)
compose existing ops.
"""

from ...ops.activation import (  # noqa: F401
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    prelu,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from ...ops.activation2 import (  # noqa: F401
    celu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    relu6,
    rrelu,
    selu,
    softmin,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from ...ops.activation_inplace import (  # noqa: F401
    celu_,
    elu_,
    hardtanh_,
    leaky_relu_,
    relu_,
    rrelu_,
    selu_,
    threshold_,
)
from ...ops.dropout import dropout  # noqa: F401
from ...ops.linalg import bilinear, pairwise_distance, pdist  # noqa: F401
from ...ops.matmul import linear  # noqa: F401
from .adaptive_pooling import *  # noqa: F401,F403
from .attention import scaled_dot_product_attention  # noqa: F401
from .channel_dropout import (  # noqa: F401
    alpha_dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from .conv import *  # noqa: F401,F403
from .ctc import ctc_loss  # noqa: F401
from .fold import *  # noqa: F401,F403
from .linear_cross_entropy import linear_cross_entropy  # noqa: F401
from .loss import (  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_similarity,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .loss2 import gaussian_nll_loss, huber_loss, kl_div, poisson_nll_loss  # noqa: F401
from .margin_loss import (  # noqa: F401
    cosine_embedding_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from .mha import multi_head_attention_forward  # noqa: F401
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .sparse import embedding, embedding_bag, one_hot  # noqa: F401
from .upsampling import *  # noqa: F401,F403
from .vision import affine_grid, grid_sample  # noqa: F401
