"""Every recipe in a short run through the CLI, side by side with its torch twin: the loss
falls and torch agrees (float64 to 1e-10); the full default runs and their bars are `slow`."""

import os

import numpy as np
import pytest

from tinygrad_edu import cli, recipes

# a few epochs each, enough for the loss to fall
SHORT = {
    "perceptron": ["--epochs", "3"],
    "xor": ["--epochs", "5"],
    "circles": ["--epochs", "5"],
    "moons": ["--epochs", "3"],
    "blobs": ["--epochs", "3"],
    "spirals": ["--epochs", "3"],
    "line": ["--epochs", "20"],
    "diabetes": ["--epochs", "3"],
    "breast-cancer": ["--epochs", "10"],
    "digits": ["--epochs", "2"],
    "reviews": ["--epochs", "3"],
}
VARIANTS = [("circles", "linear"), ("breast-cancer", "net")]
# A Linear bias in front of BatchNorm gets a gradient that is zero up to rounding; Adam scales
# that rounding noise up to lr-sized steps, so in float32 such biases (and the running means
# they feed) differ between tg and torch by ~lr while every loss still agrees to 1e-6.
BATCHNORM = {"digits", "mnist"}


def quiet(_):
    pass


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory):
    from test_datasets import write_tiny_mnist

    d = tmp_path_factory.mktemp("mnist")
    write_tiny_mnist(d, n_train=300, n_test=100)
    return str(d)


def short_run(name, *extra):
    return cli.train_from_argv(
        [name, *SHORT.get(name, ["--epochs", "2"]), "--quiet", "--compare-torch", *extra], log=quiet
    )


def check(res, dtype):
    h = res.history
    assert h["train_loss"][-1] < h["train_loss"][0], f"{res.recipe}: loss did not fall {h}"
    assert h["val_loss"][-1] < h["val_loss"][0], f"{res.recipe}: val loss did not fall"
    tol, ptol = (1e-10, 1e-8) if dtype == "float64" else (1e-4, 1e-3)
    if dtype == "float32" and res.recipe in BATCHNORM:
        # a Linear bias in front of BatchNorm has a gradient that is zero up to rounding; the
        # two libraries round it differently and Adam turns that noise into real steps of size
        # lr, so float32 losses drift apart (1.9e-4 in 2 epochs after the BatchNorm backward
        # was re-associated); float64 (the same test) agrees to 1e-10
        tol = 1e-3
    assert res.max_loss_dev <= tol, f"{res.recipe} {dtype}: |Δloss| {res.max_loss_dev:.3g}"
    if dtype == "float64" or res.recipe not in BATCHNORM:
        assert res.max_param_dev <= ptol, f"{res.recipe} {dtype}: |Δparam| {res.max_param_dev:.3g}"
    # the twin's per-epoch losses are the same numbers the tg run logged
    np.testing.assert_allclose(res.torch_history["val_loss"], h["val_loss"], rtol=0, atol=tol)
    check_seed_twin(res)


def check_seed_twin(res):
    """The twin was built from the seed alone: torch.manual_seed + the same build gave tg's
    initial weights exactly, and its own DataLoader shuffle gave tg's batches every step."""
    assert res.twin_init_dev == 0.0, f"{res.recipe}: initial weights differ {res.twin_init_dev}"
    assert res.twin_batch_mismatches == 0, f"{res.recipe}: {res.twin_batch_mismatches} batches"


def test_every_recipe_has_a_short_run():
    from test_digits28 import NEW  # the 28x28 digit recipes' short runs live there

    assert set(SHORT) | set(NEW) == set(recipes.names())


@pytest.mark.parametrize("name", list(SHORT))
def test_short_run_float64_matches_torch(name):
    check(short_run(name, "--dtype", "float64"), "float64")


@pytest.mark.parametrize("name, variant", VARIANTS)
def test_variants_float64_match_torch(name, variant):
    check(short_run(name, "--dtype", "float64", "--variant", variant), "float64")


@pytest.mark.parametrize("name", ["perceptron", "blobs", "digits", "reviews"])
def test_short_run_float32_matches_torch(name):
    res = short_run(name)
    check(res, "float32")
    assert res.config.dtype == "float32"


@pytest.mark.parametrize("opt, lr", [("sgd", "0.1"), ("adamw", "0.01"), ("rmsprop", "0.001")])
def test_other_optimizers_match_torch(opt, lr):
    check(short_run("moons", "--dtype", "float64", "--optimizer", opt, "--lr", lr), "float64")


@pytest.mark.parametrize("init", ["xavier", "kaiming", "normal"])
def test_init_methods(init):
    res = short_run("blobs", "--dtype", "float64", "--init", init)
    check(res, "float64")


def test_dropout_twin_draws_its_own_masks():
    """digits has Dropout: the twin's own nn.Dropout, on torch's generator seeded like tg's,
    draws tg's masks (a different mask would move the loss far beyond 1e-10)."""
    res = short_run("digits", "--dtype", "float64")
    assert res.dropout_note and "draws its own dropout masks" in res.dropout_note
    check_seed_twin(res)
    assert res.max_loss_dev <= 1e-10  # with the same masks the runs agree as without dropout


def test_twin_refuses_a_resumed_run():
    """A resumed run's weights are a checkpoint's, not the seed's: no twin can be built from
    the seed alone, so the twin refuses (as the CLI does) instead of copying weights."""
    from types import SimpleNamespace

    from tinygrad_edu.recipes import RecipeError, get
    from tinygrad_edu.recipes.twin import TorchTwin

    with pytest.raises(RecipeError, match="--resume"):
        TorchTwin(get("xor"), SimpleNamespace(resume="ck.npz"), None, None)


def test_mnist_recipe_on_a_synthetic_idx_set(tiny_mnist):
    res = cli.train_from_argv(
        [
            "mnist",
            "--data-dir",
            tiny_mnist,
            "--epochs",
            "3",
            "--quiet",
            "--compare-torch",
            "--dtype",
            "float64",
        ],
        log=quiet,
    )
    check(res, "float64")
    assert res.metrics["test"]["acc"] > 0.5  # the synthetic digits are easy


def test_reviews_reports_words(capsys):
    assert cli.main(["train", "reviews", "--quiet"]) == 0
    out = capsys.readouterr().out
    pos = next(line for line in out.splitlines() if line.startswith("most positive words:"))
    neg = next(line for line in out.splitlines() if line.startswith("most negative words:"))
    assert {"delicious", "friendly", "great"} & set(pos.split(": ")[1].split(", "))
    assert {"rude", "cold", "bland"} & set(neg.split(": ")[1].split(", "))


def test_reviews_reads_a_csv_from_data_dir(tmp_path):
    rows = ["rating,review"] + [f"positive,tasty great food number {i}" for i in range(30)]
    rows += [f"negative,awful cold food number {i}" for i in range(30)]
    (tmp_path / "reviews.csv").write_text("\n".join(rows))
    res = cli.train_from_argv(["reviews", "--data-dir", str(tmp_path), "--quiet"], log=quiet)
    assert res.metrics["test"]["acc"] == 1.0
    assert len(res.metrics) == 3 and res.epochs_run > 5


# ---- full default runs (`pytest -m slow`) -------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "name, extra",
    [(n, []) for n in recipes.names()]
    + [(n, ["--variant", "reviews"]) for n in ("rnn", "lstm", "gru")],
)
def test_default_run_meets_its_bar(name, extra):
    res = cli.train_from_argv([name, "--quiet", *extra], log=print)
    print(f"{name}: test {res.bar_metric} = {res.bar_value:.4f}, {res.wall_s:.1f} s")
    assert res.bar_met, f"{name}: test {res.bar_metric} {res.bar_value:.4f} misses the bar"


@pytest.mark.slow
def test_mnist_on_the_full_idx_files():
    data_dir = os.environ.get("MNIST_DIR")
    if not data_dir:
        pytest.skip("set MNIST_DIR to a folder holding the four MNIST IDX files")
    res = cli.train_from_argv(["mnist", "--quiet", "--data-dir", data_dir], log=print)
    assert res.metrics["test"]["acc"] >= 0.97  # the seed: macro precision/recall/F1 0.971 on t10k


@pytest.mark.slow
def test_circles_linear_variant_fails_as_the_seed_says():
    res = cli.train_from_argv(["circles", "--variant", "linear", "--quiet"], log=quiet)
    assert 0.35 < res.metrics["test"]["acc"] < 0.65
