"""Thin wrappers over scikit-learn's generators and bundled datasets (no copies of them).

scikit-learn is an optional dependency (``pip install 'tinygrad_edu[app]'``); importing this
module without it is fine, calling a loader raises a clear ``ImportError``.
"""

from __future__ import annotations

import numpy as np


def _sk(module: str):
    try:
        import importlib

        return importlib.import_module(f"sklearn.{module}")
    except ImportError as e:  # pragma: no cover - sklearn is in the [app] extra
        raise ImportError(
            "this dataset comes from scikit-learn: pip install 'tinygrad_edu[app]' "
            "(or pip install scikit-learn)"
        ) from e


def make_circles(n_samples: int = 1000, noise: float = 0.03, random_state=42, factor=0.8):
    """Two concentric circles (``sklearn.datasets.make_circles``); X float32, y float32."""
    x, y = _sk("datasets").make_circles(
        n_samples, noise=noise, random_state=random_state, factor=factor
    )
    return x.astype(np.float32), y.astype(np.float32)


def make_moons(n_samples: int = 1000, noise: float = 0.03, random_state=42):
    """Two interleaving half moons (``sklearn.datasets.make_moons``); X float32, y float32."""
    x, y = _sk("datasets").make_moons(n_samples, noise=noise, random_state=random_state)
    return x.astype(np.float32), y.astype(np.float32)


def make_blobs(n_samples=1000, n_features=2, centers=4, cluster_std=1.5, random_state=42):
    """Gaussian blobs (``sklearn.datasets.make_blobs``); X float32, y int64 class indices."""
    x, y = _sk("datasets").make_blobs(
        n_samples=n_samples,
        n_features=n_features,
        centers=centers,
        cluster_std=cluster_std,
        random_state=random_state,
    )
    return x.astype(np.float32), y.astype(np.int64)


def load_digits():
    """scikit-learn's 8×8 handwritten digits: X (1797, 64) float32 in [0, 16], y int64."""
    d = _sk("datasets").load_digits()
    return d.data.astype(np.float32), d.target.astype(np.int64)


def load_diabetes():
    """scikit-learn's diabetes regression data: X (442, 10) float32, y (442,) float32."""
    d = _sk("datasets").load_diabetes()
    return d.data.astype(np.float32), d.target.astype(np.float32)


def load_breast_cancer():
    """scikit-learn's breast-cancer data: X (569, 30) float32, y (569,) float32 in {0, 1}."""
    d = _sk("datasets").load_breast_cancer()
    return d.data.astype(np.float32), d.target.astype(np.float32)


def train_test_split(*arrays, **kwargs):
    """``sklearn.model_selection.train_test_split`` itself."""
    return _sk("model_selection").train_test_split(*arrays, **kwargs)
