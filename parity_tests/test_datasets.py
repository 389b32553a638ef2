"""tinygrad_edu.datasets: toy generators, scikit-learn wrappers, the IDX reader, reviews CSV."""

import gzip
import os

import numpy as np
import pytest
import sklearn.datasets as skd

from tinygrad_edu import datasets as D
from tinygrad_edu.datasets.mnist import MNIST_FILES


def test_get_toy_data_labels_follow_the_cluster():
    x, y = D.get_toy_data(2000, seed=3)
    assert x.shape == (2000, 2) and x.dtype == np.float32 and y.dtype == np.float32
    assert set(np.unique(y)) == {0.0, 1.0}
    # label 1 is the cluster around (3, -2), label 0 around (3, 3)
    np.testing.assert_allclose(x[y == 1].mean(0), D.toy.RIGHT_CENTER, atol=0.1)
    np.testing.assert_allclose(x[y == 0].mean(0), D.toy.LEFT_CENTER, atol=0.1)
    assert 0.45 < y.mean() < 0.55
    x2, y2 = D.get_toy_data(2000, seed=3)
    np.testing.assert_array_equal(x, x2)


def test_make_xor_is_the_books_data():
    x, y = D.make_xor(200, seed=1)
    rs = np.random.RandomState(1)
    ref = rs.uniform(low=-1, high=1, size=(200, 2))
    np.testing.assert_array_equal(x, ref.astype(np.float32))
    np.testing.assert_array_equal(y, (ref[:, 0] * ref[:, 1] > 0).astype(np.float32))


def test_make_spirals_matches_cs231n_recipe():
    x, y = D.make_spirals(50, 3, noise=0.0)
    assert x.shape == (150, 2) and y.shape == (150,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    r = np.linalg.norm(x, axis=1)
    np.testing.assert_allclose(r[:50], np.linspace(0, 1, 50), atol=1e-6)
    t = np.linspace(4, 8, 50)  # arm 1 without noise
    np.testing.assert_allclose(
        x[50:100], np.c_[r[50:100] * np.sin(t), r[50:100] * np.cos(t)], atol=1e-6
    )


def test_make_line():
    x, y = D.make_line()
    assert x.shape == (100, 1) and y.shape == (100, 1)
    np.testing.assert_allclose(y, 0.7 * x + 0.3, atol=1e-6)


def test_sklearn_wrappers_return_sklearns_data():
    x, y = D.make_circles(1000, noise=0.03, random_state=42)
    rx, ry = skd.make_circles(1000, noise=0.03, random_state=42)
    np.testing.assert_array_equal(x, rx.astype(np.float32))
    np.testing.assert_array_equal(y, ry)
    x, y = D.make_moons(300, noise=0.1, random_state=1)
    rx, ry = skd.make_moons(300, noise=0.1, random_state=1)
    np.testing.assert_array_equal(x, rx.astype(np.float32))
    x, y = D.make_blobs(1000, centers=4, cluster_std=1.5, random_state=42)
    rx, ry = skd.make_blobs(n_samples=1000, centers=4, cluster_std=1.5, random_state=42)
    np.testing.assert_array_equal(y, ry)
    assert y.dtype == np.int64
    for ours, ref in (
        (D.load_digits, skd.load_digits),
        (D.load_diabetes, skd.load_diabetes),
        (D.load_breast_cancer, skd.load_breast_cancer),
    ):
        x, y = ours()
        d = ref()
        np.testing.assert_array_equal(x, d.data.astype(np.float32))
        np.testing.assert_array_equal(y, d.target.astype(y.dtype))


# ---- IDX ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
def test_idx_round_trip(tmp_path, gz, dtype):
    a = (np.arange(60).reshape(3, 4, 5) - 20).astype(dtype)
    if dtype == "uint8":
        a = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    p = tmp_path / ("a.idx.gz" if gz else "a.idx")
    D.write_idx(p, a)
    raw = p.read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == gz
    b = D.read_idx(p)
    assert b.dtype == a.dtype and b.shape == a.shape
    np.testing.assert_array_equal(a, b)


def test_idx_reader_decodes_big_endian_by_hand(tmp_path):
    # a hand-made file: type 0x0B (int16), 1-D, 2 elements: 0x0102, 0xfffe
    raw = bytes([0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE])
    p = tmp_path / "x"
    p.write_bytes(raw)
    np.testing.assert_array_equal(D.read_idx(p), [258, -2])
    # gzip detection is by content, not by name
    p.write_bytes(gzip.compress(raw))
    np.testing.assert_array_equal(D.read_idx(p), [258, -2])


@pytest.mark.parametrize(
    "raw, match",
    [
        (b"\x00\x00", "too short"),
        (b"\x12\x34\x08\x01\x00\x00\x00\x01\x00", "bad magic"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "bad magic"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x01", "truncated header"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", "holds 2 data bytes"),
        (b"\x00\x00\x08\x00", "0 dimensions"),
    ],
)
def test_idx_reader_rejects_bad_files(tmp_path, raw, match):
    p = tmp_path / "bad"
    p.write_bytes(raw)
    with pytest.raises(D.IDXError, match=match) as e:
        D.read_idx(p)
    assert str(p) in str(e.value)


def test_idx_reader_rejects_corrupt_gzip_and_wrong_ndim(tmp_path):
    p = tmp_path / "bad.gz"
    p.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07")[:-6])
    with pytest.raises(D.IDXError, match="gzip"):
        D.read_idx(p)
    D.write_idx(tmp_path / "ok", np.zeros(3, np.uint8))
    with pytest.raises(D.IDXError, match="expected a 3-D"):
        D.read_idx(tmp_path / "ok", expect_ndim=3)


def write_tiny_mnist(root, n_train=120, n_test=40, gz=True, seed=0):
    """A synthetic MNIST in IDX format: digit d is a bright bar in row band d, plus noise."""
    rng = np.random.default_rng(seed)

    def images(n):
        y = rng.integers(0, 10, n).astype(np.uint8)
        x = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, d in enumerate(y):
            x[i, 2 + 2 * d : 4 + 2 * d, 4:24] = 250
        return x, y

    os.makedirs(root, exist_ok=True)
    sfx = ".gz" if gz else ""
    (xtr, ytr), (xte, yte) = images(n_train), images(n_test)
    for key, arr in (
        ("train_images", xtr),
        ("train_labels", ytr),
        ("test_images", xte),
        ("test_labels", yte),
    ):
        D.write_idx(os.path.join(root, MNIST_FILES[key] + sfx), arr)
    return xtr, ytr, xte, yte


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_reads_the_four_files(tmp_path, gz):
    ref = write_tiny_mnist(tmp_path, gz=gz)
    got = D.load_mnist(tmp_path)
    for a, b in zip(got, ref):
        np.testing.assert_array_equal(a, b)
    assert got[1].dtype == np.int64 and got[0].shape == (120, 28, 28)


def test_load_mnist_finds_torchvision_layout(tmp_path):
    write_tiny_mnist(tmp_path / "MNIST" / "raw")
    assert len(D.load_mnist(tmp_path)[0]) == 120


def test_load_mnist_names_the_missing_files(tmp_path):
    write_tiny_mnist(tmp_path)
    os.remove(tmp_path / (MNIST_FILES["test_labels"] + ".gz"))
    with pytest.raises(D.MNISTNotFoundError) as e:
        D.load_mnist(tmp_path)
    msg = str(e.value)
    assert "missing t10k-labels-idx1-ubyte(.gz)" in msg and str(tmp_path) in msg
    assert "train-images-idx3-ubyte" not in msg.split(";")[0]  # present files are not listed
    with pytest.raises(D.MNISTNotFoundError, match="train-images-idx3-ubyte"):
        D.load_mnist(tmp_path / "nowhere")


def test_load_mnist_rejects_count_mismatch(tmp_path):
    write_tiny_mnist(tmp_path, gz=False)
    D.write_idx(tmp_path / MNIST_FILES["train_labels"], np.zeros(7, np.uint8))
    with pytest.raises(D.IDXError, match="120 images but 7 labels"):
        D.load_mnist(tmp_path)


# ---- reviews -----------------------------------------------------------------------------------
def test_shipped_review_sample():
    ratings, reviews = D.load_reviews_csv()
    assert len(reviews) >= 190
    assert set(ratings) == {"negative", "positive"}
    assert abs(ratings.count("positive") - ratings.count("negative")) <= 20
    assert all(r == D.preprocess_text(r) for r in reviews[:10])  # already preprocessed


def test_reviews_csv_headerless_yelp_polarity_and_errors(tmp_path):
    p = tmp_path / "train.csv"
    p.write_text('"1","Cold food, RUDE staff!"\n"2","Great tacos."\n')
    ratings, reviews = D.load_reviews_csv(p)
    assert ratings == ["negative", "positive"]
    assert reviews == ["cold food , rude staff !", "great tacos ."]
    bad = tmp_path / "bad.csv"
    bad.write_text("rating,review\npositive\n")
    with pytest.raises(ValueError, match="bad.csv:2"):
        D.load_reviews_csv(bad)
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        D.load_reviews_csv(tmp_path / "nope.csv")


def test_vocabulary_and_vectorizer():
    v = D.Vocabulary(add_unk=True)
    assert v.lookup_token("anything") == v.unk_index == 0
    i = v.add_token("good")
    assert v.add_token("good") == i and v.lookup_index(i) == "good" and len(v) == 2
    with pytest.raises(KeyError, match="99"):
        v.lookup_index(99)
    strict = D.Vocabulary(add_unk=False)
    with pytest.raises(KeyError):
        strict.lookup_token("x")
    reviews = ["good food .", "good good service", "bad food", "bad"]
    vec = D.ReviewVectorizer.from_reviews(["p", "p", "n", "n"], reviews, cutoff=1)
    # words seen more than once: good (3), food (2), bad (2); '.' is punctuation
    assert sorted(vec.review_vocab._token_to_idx) == ["<UNK>", "bad", "food", "good"]
    assert vec.rating_vocab.lookup_token("n") == 0
    one_hot = vec.vectorize("good unknown food")
    assert one_hot.dtype == np.float32 and one_hot.sum() == 3  # good, food, <UNK>
    assert one_hot[vec.review_vocab.lookup_token("bad")] == 0
