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


def test_verbose_without_a_tty_prints_plain_epoch_lines(capsys):
    rc, out, err = run(capsys, "train", "perceptron", "--epochs", "2")
    assert rc == 0
    assert "epoch   1/2  train loss" in out and "epoch   2/2" in out
    assert err == "" and "\r" not in out and "\x1b" not in out  # capsys is no TTY: no bars


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cli_process(*argv, **kw):
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu.cli", *argv], cwd=ROOT, timeout=120, **kw
    )


def test_piped_output_has_no_carriage_returns_or_escape_codes():
    """`tinygrad-edu train xor 2>&1 | tee log`: one plain line per epoch, nothing else."""
    import subprocess

    r = _cli_process("train", "xor", "--epochs", "30", stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT)
    assert r.returncode == 0
    log = r.stdout.decode()
    assert "\r" not in log and "\x1b" not in log, repr(log[:300])
    epoch_lines = [ln for ln in log.splitlines() if ln.startswith("epoch ")]
    assert len(epoch_lines) == 30 and epoch_lines[-1].startswith("epoch  30/30  train loss")
    assert len(log) < 6000  # 30 short lines and the table (bars made 173 KB for 300 epochs)


def test_progress_bars_on_a_terminal():
    """With stderr on a terminal (a pseudo-terminal here) the tqdm bars are drawn."""
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    try:
        r = _cli_process("train", "perceptron", "--epochs", "2", stdout=-1, stderr=slave)
        os.close(slave)
        chunks = []
        while True:
            try:
                b = os.read(master, 65536)
            except OSError:
                break
            if not b:
                break
            chunks.append(b)
    finally:
        os.close(master)
    tty = b"".join(chunks).decode(errors="replace")
    assert r.returncode == 0
    assert "perceptron" in tty and "it/s" in tty and "\r" in tty  # the bars, on stderr
    assert b"epoch   2/2  train loss" in r.stdout


def test_version(capsys):
    from tinygrad_edu import __version__

    rc, out, err = run(capsys, "--version")
    assert rc == 0 and err == ""
    assert out.strip() == f"tinygrad-edu {__version__}"


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


def _crafted_checkpoints(tmp_path):
    """Checkpoints a person could end up with: edited by hand, from another version, ..."""
    import json

    import tinygrad_edu as tg

    good = str(tmp_path / "good.tg")
    assert cli.main(["train", "xor", "--epochs", "1", "--quiet", "--save", good]) == 0
    ck = tg.load(good)
    meta = json.loads(ck["meta"])

    def put(name, **changes):
        c = dict(ck, **changes)
        tg.save(c, tmp_path / name)
        return str(tmp_path / name)

    groups = ck["optimizer"]["param_groups"]
    return {
        "shapes": (put("shapes.tg", model={k: tg.zeros(*(n + 1 for n in v.shape))
                                           for k, v in ck["model"].items()}),
                   r"does not fit recipe 'xor': Error\(s\) in loading state_dict .*size mismatch"),
        "rng": (put("rng.tg", meta=json.dumps({k: v for k, v in meta.items() if k != "rng"})),
                "does not fit recipe 'xor': missing entry 'rng'"),
        "groups": (put("groups.tg", optimizer=dict(ck["optimizer"], param_groups=groups * 2)),
                   "different number of parameter groups"),
        "lr": (put("lr.tg", optimizer=dict(ck["optimizer"],
                                           param_groups=[dict(g, lr="fast") for g in groups])),
               "bad learning rate 'fast' in optimizer group 0"),
        "config_lr": (put("cfg.tg", meta=json.dumps(dict(meta, config=dict(meta["config"],
                                                                            lr=-1)))),
                      "holds a bad lr: expected a positive finite number, got '-1'"),
        "config_optimizer": (put("opt.tg", meta=json.dumps(dict(meta, config=dict(
            meta["config"], optimizer="lbfgs")))), "holds a bad optimizer 'lbfgs'"),
        "directory": (str(tmp_path), "can not read .* is a directory, not a checkpoint file"),
    }


def test_resume_of_unfitting_checkpoints_is_one_line(capsys, tmp_path):
    import re

    for case, (path, match) in _crafted_checkpoints(tmp_path).items():
        capsys.readouterr()
        rc, out, err = run(capsys, "train", "xor", "--epochs", "2", "--resume", path)
        line = one_line_error(err)
        assert rc == cli.EXIT_FAIL, (case, line)
        assert "Traceback" not in err and re.search(match, line), (case, line)
        assert line.startswith(f"tinygrad-edu: error: --resume: {path}") or case == "directory"
        assert len(line) - len(path) < 360, (case, line)
        assert "epoch " not in out, case


def test_unwritable_save_and_plot_fail_before_training(capsys, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    cases = [
        (["--save", "/nonexistent/ck.npz"], "--save: the folder /nonexistent does not exist"),
        (["--save", str(tmp_path)], "is a directory; give a file path"),
        (["--plot", str(afile / "plots")], f"--plot: can not create .*: {afile} is not a folder"),
        (["--plot", str(afile)], "exists and is not a folder"),
    ]
    if hasattr(os, "geteuid") and os.geteuid() != 0:  # root writes anywhere: no such folder
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        cases += [(["--plot", str(ro / "p")], "--plot: can not write into"),
                  (["--save", str(ro / "ck.tg")], "--save: can not write into")]
    import re
    import time

    for extra, match in cases:
        t0 = time.perf_counter()
        rc, out, err = run(capsys, "train", "digits", "--epochs", "50", *extra)
        assert rc == cli.EXIT_FAIL and re.search(match, one_line_error(err)), (extra, err)
        assert out == "" and time.perf_counter() - t0 < 5, "it must fail before training"
    assert not (tmp_path / "plots").exists()


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


def test_parity_status_says_when_only_matches_nothing(capsys):
    """``--only`` with a name nothing has: an error (exit 2), not an all-zero table."""
    pytest.importorskip("expecttest")
    from tinygrad_edu.parity import status

    assert status.main(["--only", "no_such_op_anywhere"]) == 2
    assert "no implemented OpInfo" in capsys.readouterr().err
