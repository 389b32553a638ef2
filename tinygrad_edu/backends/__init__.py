"""``tinygrad_edu.backends``: torch.backends' switches, as modules, so that
``import tinygrad_edu.backends.cudnn as cudnn`` works as ``import torch.backends.cudnn as
cudnn`` does (seed 001). NumPy has no cuDNN and no MPS: the switches are accepted and change
nothing; ``is_available()`` is False, as in torch's CPU build."""

from . import cudnn, mps  # noqa: F401
