"""Neural-network building blocks in torch's names (``tg.nn.Linear``, ``tg.nn.MSELoss`` ...)."""

from . import functional, init, utils  # noqa: F401
from .activation import (  # noqa: F401
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .container import ModuleDict, ModuleList, Sequential  # noqa: F401
from .dropout import Dropout  # noqa: F401
from .linear import Flatten, Identity, Linear, Unflatten  # noqa: F401
from .loss import (  # noqa: F401
    BCELoss,
    BCEWithLogitsLoss,
    CosineSimilarity,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module  # noqa: F401
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm  # noqa: F401
from .parameter import Buffer, Parameter  # noqa: F401

# isort: split
# conv/pool, embedding, recurrent layers (nn/conv.py, nn/embedding.py, nn/rnn.py)
from .conv import AvgPool2d, Conv2d, MaxPool2d  # noqa: F401
from .embedding import Embedding  # noqa: F401
from .rnn import GRU, LSTM, RNN, RNNBase  # noqa: F401
