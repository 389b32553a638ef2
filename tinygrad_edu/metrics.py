"""Classification and regression metrics in NumPy, with scikit-learn's names and results.

Inputs may be lists, NumPy arrays or tensors (anything with ``.numpy()``). Ill-defined ratios
(a class never predicted, say) count as 0, like scikit-learn's ``zero_division=0``
(without the warning).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "accuracy_score",
    "confusion_matrix",
    "precision_score",
    "recall_score",
    "f1_score",
    "precision_recall_f1",
    "roc_auc_score",
    "mean_absolute_error",
    "mean_squared_error",
    "r2_score",
]


def _np(a) -> np.ndarray:
    if hasattr(a, "detach"):
        a = a.detach()
    if hasattr(a, "cpu"):
        a = a.cpu()
    if hasattr(a, "numpy"):
        a = a.numpy()
    return np.asarray(a)


def _labels_1d(y_true, y_pred, name: str):
    t, p = _np(y_true).reshape(-1), _np(y_pred).reshape(-1)
    if t.shape != p.shape:
        raise ValueError(f"{name}: y_true has {t.size} entries but y_pred has {p.size}")
    return t, p


def accuracy_score(y_true, y_pred) -> float:
    """Fraction of predictions equal to the truth."""
    t, p = _labels_1d(y_true, y_pred, "accuracy_score")
    return float(np.mean(t == p)) if t.size else 0.0


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """C[i, j] = number of samples of true class ``labels[i]`` predicted as ``labels[j]``."""
    t, p = _labels_1d(y_true, y_pred, "confusion_matrix")
    labels = np.unique(np.concatenate([t, p])) if labels is None else np.asarray(labels)
    index = {v: i for i, v in enumerate(labels.tolist())}
    k = len(labels)
    keep = np.array([a in index and b in index for a, b in zip(t.tolist(), p.tolist())], bool)
    ti = np.array([index[v] for v in t[keep].tolist()], dtype=np.int64)
    pi = np.array([index[v] for v in p[keep].tolist()], dtype=np.int64)
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (ti, pi), 1)
    return cm


def _safe_div(num, den):
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def precision_recall_f1(y_true, y_pred, average: str = "binary", pos_label=1, labels=None):
    """(precision, recall, f1) with ``average`` 'binary', 'macro', 'micro' or None (per class)."""
    t, p = _labels_1d(y_true, y_pred, "precision_recall_f1")
    if average == "binary":
        present = np.unique(np.concatenate([t, p]))
        if len(present) > 2:
            raise ValueError(
                f"average='binary' needs 2 classes, got {len(present)}; use average='macro'"
            )
        labels = [pos_label]
    elif labels is None:
        labels = np.unique(np.concatenate([t, p]))
    labels = np.asarray(labels)
    tp = np.array([np.sum((t == c) & (p == c)) for c in labels], float)
    fp = np.array([np.sum((t != c) & (p == c)) for c in labels], float)
    fn = np.array([np.sum((t == c) & (p != c)) for c in labels], float)
    if average == "micro":
        tp, fp, fn = tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
    precision = _safe_div(tp, tp + fp)
    recall = _safe_div(tp, tp + fn)
    f1 = _safe_div(2 * tp, 2 * tp + fp + fn)  # = 2PR/(P+R), defined as 0 when tp = 0
    if average is None:
        return precision, recall, f1
    if average in ("binary", "micro", "macro"):
        return float(precision.mean()), float(recall.mean()), float(f1.mean())
    raise ValueError(f"average must be 'binary', 'micro', 'macro' or None, got {average!r}")


def precision_score(y_true, y_pred, average: str = "binary", pos_label=1, labels=None):
    """tp / (tp + fp)."""
    return precision_recall_f1(y_true, y_pred, average, pos_label, labels)[0]


def recall_score(y_true, y_pred, average: str = "binary", pos_label=1, labels=None):
    """tp / (tp + fn)."""
    return precision_recall_f1(y_true, y_pred, average, pos_label, labels)[1]


def f1_score(y_true, y_pred, average: str = "binary", pos_label=1, labels=None):
    """Harmonic mean of precision and recall: 2·tp / (2·tp + fp + fn)."""
    return precision_recall_f1(y_true, y_pred, average, pos_label, labels)[2]


def _rankdata(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their average rank."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    ranks = np.empty(len(x), float)
    # boundaries of runs of equal values in the sorted array
    starts = np.r_[0, np.flatnonzero(xs[1:] != xs[:-1]) + 1]
    ends = np.r_[starts[1:], len(x)]
    avg = (starts + ends + 1) / 2.0  # mean of ranks start+1 .. end
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def _binary_auc(t: np.ndarray, s: np.ndarray) -> float:
    """AUC = P(score of a positive > score of a negative) (+½ for ties): Mann–Whitney U."""
    pos = t.astype(bool)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("roc_auc_score: only one class present in y_true; AUC is undefined")
    r = _rankdata(s.astype(float))
    return float((r[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_auc_score(y_true, y_score, average: str = "macro", multi_class: str = "raise") -> float:
    """Area under the ROC curve.

    Binary: ``y_score`` is the score of the positive class, shape (n,) (or (n, 2): column 1).
    Multiclass: ``y_score`` is (n, k) class probabilities and ``multi_class='ovr'`` averages the
    one-vs-rest AUC of each class (``average='macro'`` unweighted, ``'weighted'`` by support).
    """
    t = _np(y_true).reshape(-1)
    s = _np(y_score)
    if s.ndim == 2 and s.shape[1] == 2 and len(np.unique(t)) <= 2:
        s = s[:, 1]
    if s.ndim == 1 or (s.ndim == 2 and s.shape[1] == 1):
        s = s.reshape(-1)
        classes = np.unique(t)
        if len(classes) > 2:
            raise ValueError("roc_auc_score: y_score is 1-D but y_true has more than 2 classes")
        return _binary_auc(t == classes.max(), s)
    if multi_class != "ovr":
        raise ValueError("roc_auc_score: multiclass y_score needs multi_class='ovr'")
    k = s.shape[1]
    aucs = np.array([_binary_auc(t == c, s[:, c]) for c in range(k)])
    if average == "macro":
        return float(aucs.mean())
    if average == "weighted":
        support = np.array([np.sum(t == c) for c in range(k)], float)
        return float((aucs * support).sum() / support.sum())
    raise ValueError(f"roc_auc_score: average must be 'macro' or 'weighted', got {average!r}")


def mean_absolute_error(y_true, y_pred) -> float:
    t, p = _labels_1d(y_true, y_pred, "mean_absolute_error")
    return float(np.mean(np.abs(t.astype(float) - p)))


def mean_squared_error(y_true, y_pred) -> float:
    t, p = _labels_1d(y_true, y_pred, "mean_squared_error")
    return float(np.mean((t.astype(float) - p) ** 2))


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination 1 − SS_res / SS_tot (1.0 for a perfect constant fit)."""
    t, p = _labels_1d(y_true, y_pred, "r2_score")
    t = t.astype(float)
    ss_res = np.sum((t - p) ** 2)
    ss_tot = np.sum((t - t.mean()) ** 2)
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return float(1.0 - ss_res / ss_tot)
