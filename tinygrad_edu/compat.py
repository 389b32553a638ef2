"""Run unchanged PyTorch code on tinygrad_edu.

``with as_torch(): exec(code)`` makes ``import torch``, ``import torch.nn as nn`` and
``from torch.utils.data import DataLoader`` inside ``code`` resolve to tinygrad_edu, so a seed
listing runs exactly as written. ``import torch.backends.cudnn as cudnn`` (seed 001) gets
tinygrad_edu's ``backends.cudnn`` switches, which are accepted and have no effect (NumPy has
no cuDNN). The previous ``sys.modules`` entries are restored on exit.
"""

from __future__ import annotations

import contextlib
import importlib
import sys

# torch's module path -> ours
ALIASES = {
    "torch": "tinygrad_edu",
    "torch.nn": "tinygrad_edu.nn",
    "torch.nn.functional": "tinygrad_edu.nn.functional",
    "torch.nn.init": "tinygrad_edu.nn.init",
    "torch.optim": "tinygrad_edu.optim",
    "torch.optim.lr_scheduler": "tinygrad_edu.optim.lr_scheduler",
    "torch.utils": "tinygrad_edu.utils",
    "torch.utils.data": "tinygrad_edu.utils.data",
    "torch.autograd": "tinygrad_edu.autograd",
    "torch.cuda": "tinygrad_edu.cuda",
    "torch.backends": "tinygrad_edu.backends",
    "torch.backends.cudnn": "tinygrad_edu.backends.cudnn",
}


def _resolve(path: str):
    """The module at ``path``, or the attribute chain it names below the nearest module."""
    try:
        return importlib.import_module(path)
    except ImportError:
        head, _, attr = path.rpartition(".")
        if not head:
            raise
        try:
            return getattr(_resolve(head), attr)
        except AttributeError:
            raise ImportError(f"no module or attribute named {path!r}") from None


@contextlib.contextmanager
def as_torch():
    """Alias ``torch`` (and its submodules that tinygrad_edu has) to tinygrad_edu."""
    saved = {name: sys.modules.get(name) for name in ALIASES}
    try:
        for name, ours in ALIASES.items():
            try:
                sys.modules[name] = _resolve(ours)
            except ImportError:  # a submodule tinygrad_edu does not have (yet)
                sys.modules.pop(name, None)
        yield sys.modules["torch"]
    finally:
        for name, mod in saved.items():
            if mod is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = mod


def run_listing(source: str, *, use_torch: bool = False, filename: str = "<listing>") -> dict:
    """Execute a listing's source with ``torch`` bound to tinygrad_edu (or real torch)."""
    ns: dict = {"__name__": "__listing__"}
    code = compile(source, filename, "exec")
    if use_torch:
        exec(code, ns)  # noqa: S102 - running the project's own example listings
    else:
        with as_torch():
            exec(code, ns)  # noqa: S102
    return ns
