"""The `tinygrad-edu` command line: listing, argument errors, data errors, divergence,
checkpoints and resume, quiet output, plots, and the parity/bench dispatch."""

import os
import sys
import types

import numpy as np
import pytest

from tinygrad_edu import cli, recipes
from tinygrad_edu.backend import cuda_available


def run(capsys, *argv):
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got {lines!r}"
    assert lines[0].startswith("tinygrad-edu: error: ") or "tinygrad-edu" in lines[0]
    return lines[0]


def quiet_log(_):
    pass


def test_list_shows_every_recipe(capsys):
    rc, out, _ = run(capsys, "list")
    assert rc == 0
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == recipes.names()
    assert all("bar test" in line for line in lines)


@pytest.mark.parametrize("name, hint", [("xro", "did you mean 'xor'"), ("resnet", "choose from")])
def test_unknown_recipe(capsys, name, hint):
    rc, out, err = run(capsys, "train", name)
    assert rc == cli.EXIT_USAGE
    line = one_line_error(err)
    assert f"unknown recipe '{name}'" in line and hint in line and out == ""


@pytest.mark.parametrize(
    "args, match",
    [
        (["--epochs", "0"], "--epochs: expected a positive integer"),
        (["--epochs", "two"], "--epochs: expected a positive integer"),
        (["--lr", "-1"], "--lr: expected a positive finite number"),
        (["--lr", "nan"], "--lr: expected a positive finite number"),
        (["--batch-size", "0"], "--batch-size"),
        (["--optimizer", "lbfgs"], "--optimizer: invalid choice: 'lbfgs'"),
        (["--dtype", "float16"], "--dtype: invalid choice"),
        (["--device", "tpu"], "--device: invalid choice"),
        (["--init", "orthogonal"], "--init: invalid choice"),
        (["--seed", "-3"], "--seed"),
        (["--variant", "deep"], "recipe 'xor' has no variant 'deep' (variants: none)"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--resume", "x.tg", "--compare-torch"], "--compare-torch cannot be combined"),
    ],
)
def test_bad_option_values_exit_2_with_one_line(capsys, args, match):
    rc, out, err = run(capsys, "train", "xor", *args)
    assert rc == cli.EXIT_USAGE
    assert match in one_line_error(err)
    assert out == ""


def test_variant_of_another_recipe_is_listed(capsys):
    rc, _, err = run(capsys, "train", "circles", "--variant", "deep")
    assert rc == 2 and "(variants: relu, linear)" in one_line_error(err)


def test_missing_mnist_files_say_where_to_put_them(capsys, tmp_path):
    rc, out, err = run(capsys, "train", "mnist", "--data-dir", str(tmp_path), "--quiet")
    assert rc == cli.EXIT_FAIL
    line = one_line_error(err)
    for stem in (
        "train-images-idx3-ubyte(.gz)",
        "train-labels-idx1-ubyte(.gz)",
        "t10k-images-idx3-ubyte(.gz)",
        "t10k-labels-idx1-ubyte(.gz)",
    ):
        assert stem in line
    assert str(tmp_path) in line


def test_corrupt_mnist_file_is_one_line(capsys, tmp_path):
    from test_datasets import write_tiny_mnist

    write_tiny_mnist(tmp_path, gz=False)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03garbage")
    rc, _, err = run(capsys, "train", "mnist", "--data-dir", str(tmp_path), "--quiet")
    assert rc == cli.EXIT_FAIL and "t10k-images-idx3-ubyte" in one_line_error(err)


def test_nan_divergence_exits_3(capsys):
    rc, _, err = run(capsys, "train", "diabetes", "--lr", "1e6", "--quiet")
    assert rc == cli.EXIT_DIVERGED
    line = one_line_error(err)
    assert "diverged" in line and "smaller --lr" in line


@pytest.mark.skipif(cuda_available(), reason="a GPU is present")
def test_cuda_without_gpu(capsys):
    rc, _, err = run(capsys, "train", "xor", "--device", "cuda", "--quiet")
    assert rc == cli.EXIT_FAIL and "no CUDA GPU" in one_line_error(err)


def test_compare_torch_without_torch_says_how_to_install(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    rc, _, err = run(capsys, "train", "xor", "--epochs", "1", "--compare-torch", "--quiet")
    assert rc == cli.EXIT_FAIL
    assert "pip install torch==2.13.0" in one_line_error(err)


def test_quiet_prints_only_the_final_table(capsys):
    rc, out, err = run(capsys, "train", "perceptron", "--epochs", "2", "--quiet")
    assert rc == 0 and err == ""
    assert "epoch " not in out and "it/s" not in out
    lines = out.strip().splitlines()
    assert lines[1].split()[:3] == ["split", "loss", "acc"]
    assert [line.split()[0] for line in lines[2:5]] == ["train", "val", "test"]
    assert lines[5].startswith("bar: test acc")
    assert len(lines) == 6


def test_verbose_prints_epochs_and_progress_bars(capsys):
    rc, out, err = run(capsys, "train", "perceptron", "--epochs", "2")
    assert rc == 0
    assert "epoch   1/2  train loss" in out and "epoch   2/2" in out
    assert "perceptron" in err and "it/s" in err  # tqdm bars on stderr


def _losses(res):
    return res.history["train_loss"], res.history["val_loss"]


@pytest.mark.parametrize("recipe", ["digits", "reviews"])
def test_resume_continues_exactly(tmp_path, recipe):
    """4 epochs straight == 2 epochs, checkpoint, resume for 2: bit-identical losses.
    digits has Dropout, BatchNorm running stats and Adam; reviews has ReduceLROnPlateau."""
    ck = str(tmp_path / "run.tg")
    straight = cli.train_from_argv([recipe, "--epochs", "4", "--quiet"], log=quiet_log)
    first = cli.train_from_argv([recipe, "--epochs", "2", "--quiet", "--save", ck], log=quiet_log)
    assert first.epochs_run == 2 and os.path.isfile(ck)
    resumed = cli.train_from_argv(
        [recipe, "--epochs", "4", "--quiet", "--resume", ck], log=quiet_log
    )
    assert resumed.epochs_run == 4
    assert _losses(resumed) == _losses(straight)  # exact, not approximate
    assert resumed.history["lr"] == straight.history["lr"]
    assert resumed.metrics == straight.metrics


def test_resume_errors(capsys, tmp_path):
    ck = str(tmp_path / "p.tg")
    assert cli.main(["train", "perceptron", "--epochs", "1", "--quiet", "--save", ck]) == 0
    capsys.readouterr()
    rc, _, err = run(capsys, "train", "xor", "--resume", ck, "--quiet")
    assert rc == 1 and "checkpoint is for recipe 'perceptron', not 'xor'" in one_line_error(err)
    rc, _, err = run(capsys, "train", "xor", "--resume", str(tmp_path / "none.tg"))
    assert rc == 1 and "no checkpoint at" in one_line_error(err)
    junk = tmp_path / "junk.tg"
    junk.write_bytes(b"not a checkpoint at all")
    rc, _, err = run(capsys, "train", "xor", "--resume", str(junk))
    assert rc == 1 and "is not a tinygrad-edu train checkpoint" in one_line_error(err)


def test_early_stopping_restores_the_best_model():
    res = cli.train_from_argv(
        ["digits", "--epochs", "60", "--patience", "1", "--quiet", "--lr", "0.01"], log=quiet_log
    )
    assert res.stopped_early and res.epochs_run < 60
    val = res.history["val_loss"]
    assert res.best_epoch == int(np.argmin(val)) + 1
    assert res.epochs_run == res.best_epoch + 1  # patience 1: one bad epoch ends the run
    # the final table is computed with the restored best weights
    assert res.metrics["val"]["loss"] == pytest.approx(min(val), rel=1e-6)


def _is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 5000


def test_plot_writes_pngs(tmp_path, capsys):
    d = tmp_path / "plots"
    rc, out, _ = run(capsys, "train", "circles", "--epochs", "3", "--quiet", "--plot", str(d))
    assert rc == 0 and "plots written to" in out
    for name in ("learning_curves.png", "confusion_matrix.png", "decision_boundary.png"):
        assert _is_png(d / name), name
    d2 = tmp_path / "line"
    assert cli.main(["train", "line", "--epochs", "3", "--quiet", "--plot", str(d2)]) == 0
    assert _is_png(d2 / "learning_curves.png") and _is_png(d2 / "predictions.png")
    assert not (d2 / "confusion_matrix.png").exists()


def test_parity_and_bench_dispatch(capsys, monkeypatch):
    seen = {}
    fake = types.ModuleType("fake_parity")
    fake.main = lambda argv: seen.setdefault("argv", argv) and 0
    monkeypatch.setitem(sys.modules, "fake_parity", fake)
    monkeypatch.setitem(cli.DISPATCH, "parity", ("fake_parity", "x"))
    assert cli.main(["parity", "--dtype", "float64", "--quick"]) == 0
    assert seen["argv"] == ["--dtype", "float64", "--quick"]
    monkeypatch.setitem(cli.DISPATCH, "bench", ("tinygrad_edu.no_such_bench", "x"))
    rc, _, err = run(capsys, "bench")
    assert rc == 1 and "tinygrad_edu.no_such_bench is not available" in one_line_error(err)
