"""``tg.nn.functional`` (F): activations, losses and layer functions in torch's names."""

from ..ops.activation import (  # noqa: F401
    elu, gelu, leaky_relu, log_softmax, prelu, relu, sigmoid, silu, softmax, softplus, tanh,
)
from ..ops.index import one_hot  # noqa: F401
from ..ops.matmul import linear  # noqa: F401
