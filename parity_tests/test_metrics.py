"""tinygrad_edu.metrics against scikit-learn's implementations."""

import numpy as np
import pytest
from sklearn import metrics as S

from tinygrad_edu import metrics as M

SEEDS = range(8)


def _labels(seed, k, n=200):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, k, n)
    # predictions agree with the truth ~60% of the time, so every metric is away from 0 and 1
    p = np.where(rng.random(n) < 0.6, t, rng.integers(0, k, n))
    return t, p


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("average", ["binary", "macro", "micro"])
def test_precision_recall_f1_match_sklearn(seed, average):
    k = 2 if average == "binary" else 5
    t, p = _labels(seed, k)
    for ours, ref in (
        (M.precision_score, S.precision_score),
        (M.recall_score, S.recall_score),
        (M.f1_score, S.f1_score),
    ):
        got, want = ours(t, p, average=average), ref(t, p, average=average, zero_division=0)
        assert got == pytest.approx(want, abs=1e-12), f"{ours.__name__} {average}: {got} vs {want}"


def test_zero_division_and_absent_class_match_sklearn():
    t = np.array([0, 0, 1, 1, 2, 2])
    p = np.array([0, 0, 0, 0, 0, 1])  # class 2 never predicted, class 1 precision 0
    for ours, ref in (
        (M.precision_score, S.precision_score),
        (M.recall_score, S.recall_score),
        (M.f1_score, S.f1_score),
    ):
        assert ours(t, p, average="macro") == pytest.approx(
            ref(t, p, average="macro", zero_division=0), abs=1e-12
        )
    per_class = M.precision_recall_f1(t, p, average=None)
    ref = S.precision_recall_fscore_support(t, p, zero_division=0)
    for a, b in zip(per_class, ref[:3]):
        np.testing.assert_allclose(a, b, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_accuracy_and_confusion_matrix_match_sklearn(seed):
    t, p = _labels(seed, 4)
    assert M.accuracy_score(t, p) == pytest.approx(S.accuracy_score(t, p), abs=1e-15)
    np.testing.assert_array_equal(M.confusion_matrix(t, p), S.confusion_matrix(t, p))
    labels = [3, 0, 1, 2, 7]
    np.testing.assert_array_equal(
        M.confusion_matrix(t, p, labels=labels), S.confusion_matrix(t, p, labels=labels)
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_roc_auc_with_ties_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, 150)
    s = np.round(rng.random(150) + 0.3 * t, 1)  # rounding makes many ties
    assert M.roc_auc_score(t, s) == pytest.approx(S.roc_auc_score(t, s), abs=1e-12)
    two_col = np.stack([1 - s, s], axis=1)
    assert M.roc_auc_score(t, two_col) == pytest.approx(S.roc_auc_score(t, s), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_ovr_roc_auc_matches_sklearn(seed, average):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 4, 300)
    logits = rng.standard_normal((300, 4)) + 1.5 * np.eye(4)[t]
    prob = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    got = M.roc_auc_score(t, prob, average=average, multi_class="ovr")
    want = S.roc_auc_score(t, prob, average=average, multi_class="ovr")
    assert got == pytest.approx(want, abs=1e-12)


def test_roc_auc_errors():
    with pytest.raises(ValueError, match="only one class"):
        M.roc_auc_score([1, 1, 1], [0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match="ovr"):
        M.roc_auc_score([0, 1, 2], np.eye(3))


@pytest.mark.parametrize("seed", SEEDS)
def test_regression_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    t = rng.standard_normal(100) * 3 + 1
    p = t + rng.standard_normal(100)
    assert M.r2_score(t, p) == pytest.approx(S.r2_score(t, p), abs=1e-12)
    assert M.mean_absolute_error(t, p) == pytest.approx(S.mean_absolute_error(t, p), abs=1e-12)
    assert M.mean_squared_error(t, p) == pytest.approx(S.mean_squared_error(t, p), abs=1e-12)


def test_metrics_accept_tensors_and_check_lengths():
    import tinygrad_edu as tg

    t = tg.tensor([0, 1, 1, 0])
    p = tg.tensor([0, 1, 0, 0])
    assert M.accuracy_score(t, p) == 0.75
    with pytest.raises(ValueError, match="accuracy_score"):
        M.accuracy_score([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="average='macro'"):
        M.f1_score([0, 1, 2], [0, 1, 2])  # binary average on 3 classes
