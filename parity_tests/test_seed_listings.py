"""The seed notes' listings (examples/seeds/) run unchanged with ``torch`` bound to tinygrad_edu.

Deterministic listings must print exactly what real torch prints; the training listings must
learn (each has a bar on what it computes, taken from what the same listing reaches in torch).
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib

import pytest

from tinygrad_edu.compat import run_listing

os.environ.setdefault("MPLBACKEND", "Agg")
HERE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "seeds"
LISTINGS = sorted(p.stem for p in HERE.glob("seed*.py"))

# listings whose printed output depends on no random numbers: must equal torch's, character
# for character (tensor printing, grad_fn names, loss values to 4 decimals)
DETERMINISTIC = ["seed000_activations", "seed000_losses", "seed002_graph"]

# training listings that seed torch's generator: tinygrad_edu draws what torch draws (issue
# 18), so the same seed gives the same initial weights, shuffles and masks, and the listing
# prints what real torch prints, line for line. seed001_dnn is not here: 2 of its 28 lines
# differ in the 4th decimal of a float32 validation loss (summation order), its accuracies
# are the same.
SAME_SEED_SAME_OUTPUT = ["seed000_perceptron", "seed002_linreg", "seed002_xor", "seed003_blobs",
                         "seed003_circles", "seed004_regression"]

# what each training listing must reach (the namespace variable and a bound), a little under
# what the same listing reaches in real torch (measured: xor 0.77, circles test loss 0.681
# after 1000 epochs — the seed's SGD run learns slowly there too).
BARS = {
    "seed000_perceptron": lambda ns: ns["accuracy"] >= 0.97,
    "seed001_dnn": lambda ns: ns["valid_max_accuracy"] >= 0.9,
    "seed002_linreg": lambda ns: ns["final_loss"] < 1.0,
    "seed002_xor": lambda ns: float(ns["history"][3][-1]) >= 0.75,
    "seed003_blobs": lambda ns: ns["test_acc"] >= 95,
    "seed003_circles": lambda ns: ns["test_loss"].item() < 0.68,  # torch: 0.681
    "seed004_regression": lambda ns: ns["final_loss"] < 0.4,
}


def _run(name: str, use_torch: bool):
    src = (HERE / f"{name}.py").read_text(encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns = run_listing(src, use_torch=use_torch, filename=str(HERE / f"{name}.py"))
    import matplotlib.pyplot as plt

    plt.close("all")
    return ns, out.getvalue()


def test_every_listing_is_classified():
    assert set(LISTINGS) == set(DETERMINISTIC) | set(BARS), "add the new listing to a table"


@pytest.mark.parametrize("name", DETERMINISTIC + SAME_SEED_SAME_OUTPUT)
def test_listing_prints_what_torch_prints(name):
    pytest.importorskip("torch")
    _, ours = _run(name, use_torch=False)
    _, theirs = _run(name, use_torch=True)
    assert ours == theirs, (
        f"{name}: output differs from torch's\n--- ours\n{ours}\n--- torch\n{theirs}")


@pytest.mark.parametrize("name", sorted(BARS))
def test_training_listing_learns(name):
    ns, out = _run(name, use_torch=False)
    assert BARS[name](ns), f"{name} did not reach its bar; it printed:\n{out}"


def test_as_torch_restores_modules():
    import sys

    before = sys.modules.get("torch")
    run_listing("import torch\nassert torch.__name__ == 'tinygrad_edu'\n")
    assert sys.modules.get("torch") is before


def test_seed_001_random_seed_imports_torch_backends_cudnn():
    """Seed 001's ``random_seed()`` as written: ``import torch.backends.cudnn as cudnn``."""
    import sys

    import tinygrad_edu as tg

    src = (
        "import random\nimport torch\nimport torch.backends.cudnn as cudnn\n"
        "from torch.backends import cudnn as cudnn2\n"
        "def random_seed(seed_num):\n"
        "    torch.manual_seed(seed_num)\n    torch.cuda.manual_seed(seed_num)\n"
        "    torch.cuda.manual_seed_all(seed_num)\n    cudnn.benchmark = False\n"
        "    cudnn.deterministic = True\n    random.seed(seed_num)\n"
        "random_seed(42)\nfirst = torch.rand(3)\nrandom_seed(42)\nsecond = torch.rand(3)\n"
    )
    saved = tg.backends.cudnn.deterministic
    try:
        ns = run_listing(src)
        assert ns["cudnn"] is ns["cudnn2"] is tg.backends.cudnn
        assert tg.backends.cudnn.deterministic is True and tg.backends.cudnn.benchmark is False
        assert tg.equal(ns["first"], ns["second"])
    finally:
        tg.backends.cudnn.deterministic = saved
    assert "torch.backends.cudnn" not in sys.modules or sys.modules[
        "torch.backends.cudnn"
    ].__class__.__module__.startswith("torch")


def test_backends_import_as_modules_like_torch():
    # `import tinygrad_edu.backends.cudnn as cudnn`: the rewrite of seed 001's import that a
    # reader makes by hand (it raised ModuleNotFoundError while backends was a namespace)
    import importlib

    import torch

    import tinygrad_edu as tg

    cudnn = importlib.import_module("tinygrad_edu.backends.cudnn")
    assert cudnn is tg.backends.cudnn
    for name in ("deterministic", "benchmark", "enabled"):
        assert getattr(cudnn, name) == getattr(torch.backends.cudnn, name)
    assert cudnn.is_available() is torch.backends.cudnn.is_available() is False
    assert cudnn.version() is torch.backends.cudnn.version() is None
    assert tg.backends.mps.is_available() is False and tg.backends.mps.is_built() is False
