"""The torch twin: the recipe's model built by torch from the same code and the same seed, so
every step's loss can be compared.

tinygrad_edu's generator draws torch's numbers for the same seed, so the twin needs nothing
from the tg run: ``torch.manual_seed(seed)`` and the same ``build`` give the same initial
weights (the same init draws in the same order), its own ``DataLoader(shuffle=True)`` gives
the same batches, and its own ``nn.Dropout`` draws the same masks. The twin checks this as it
goes: ``init_dev`` (initial weights) and ``batch_mismatches`` (batches that differ from tg's).
Every recipe's twin is built this way; there is no weight copy and no mask replay. A resumed
run has no twin (its weights are a checkpoint's, not the seed's; the CLI refuses the pair).
"""

from __future__ import annotations

import numpy as np

from .base import RecipeError, init_weights, make_optimizer, make_scheduler, to_numpy

TORCH_PIN = "torch==2.13.0"


def import_torch():
    try:
        import torch
    except ImportError:
        raise RecipeError(
            f"--compare-torch needs PyTorch, which is not installed: pip install {TORCH_PIN}"
        ) from None
    return torch


class TorchTwin:
    def __init__(self, recipe, cfg, data, tg_model):
        if cfg.resume:
            raise RecipeError("--compare-torch cannot be combined with --resume (the twin is "
                              "built from the seed, a resumed run's weights are a checkpoint's)")
        torch = import_torch()
        self.torch, self.recipe, self.task = torch, recipe, recipe.task
        torch.set_num_threads(1)  # tiny models: one thread is fastest (and deterministic)
        torch.manual_seed(cfg.seed)  # the seed tg's run started from (runner.run)
        self.dtype = getattr(torch, cfg.dtype)
        model = recipe.build(torch, cfg, data)
        init_weights(torch.nn, model, cfg.init)  # as Trainer does, in the same order
        model.to(self.dtype)
        self.model = model
        self.init_dev = self.param_dev(tg_model)  # 0 when the seed alone rebuilt tg's weights
        self.n_dropout = sum(isinstance(m, torch.nn.Dropout) for m in model.modules())
        x, y = data.split("train")
        self.loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(self._t(x), self._t(y)),
            batch_size=cfg.batch_size, shuffle=True)
        self._batches = None
        self.batch_mismatches = 0  # batches of the twin's own shuffle that differ from tg's
        self.loss_fn = recipe.loss(torch)
        self.optimizer = make_optimizer(torch.optim, recipe, cfg, model.parameters())
        self.scheduler = make_scheduler(torch.optim, recipe, self.optimizer)
        self.step_dev: list[float] = []  # |loss_tg - loss_torch| per training step
        self.step_rel: list[float] = []  # the same over max(1, |loss_tg|)
        self.best_state = None
        self.train_losses: list[float] = []
        self._epoch_losses: list[float] = []
        self._epoch_score = [0.0, 0]
        self.history: dict[str, list] = {
            "train_loss": [],
            "val_loss": [],
            "train_score": [],
            "val_score": [],
        }

    def start_epoch(self) -> None:
        """Begin the twin's own pass over its DataLoader (called as tg's epoch begins: the
        loader draws its seeds from torch's generator where tg's loader draws from tg's)."""
        self._batches = iter(self.loader)

    def _t(self, a: np.ndarray):
        t = self.torch.from_numpy(np.ascontiguousarray(a))
        return t.to(self.dtype) if t.is_floating_point() else t

    def train_step(self, xb: np.ndarray, yb: np.ndarray, tg_loss: float) -> None:
        """One step on the twin's own next batch; tg's batch (``xb``, ``yb``) is only compared
        with it, so a shuffle that drifted apart is counted, not hidden."""
        from .base import running_score

        if self._batches is None:
            self.start_epoch()
        tx, ty = next(self._batches)
        if not (np.array_equal(tx.numpy(), xb) and np.array_equal(ty.numpy(), yb)):
            self.batch_mismatches += 1
        yb = ty.numpy()
        self.model.train()
        out = self.model(tx)
        loss = self.loss_fn(out, ty)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        lv = loss.item()
        self.step_dev.append(abs(lv - tg_loss))
        self.step_rel.append(abs(lv - tg_loss) / max(1.0, abs(tg_loss)))
        self._epoch_losses.append(lv)
        s = running_score(self.task, out.detach().numpy(), yb)
        self._epoch_score[0] += s * len(yb)
        self._epoch_score[1] += len(yb)

    def end_epoch(self, x_val: np.ndarray, y_val: np.ndarray) -> tuple[float, float, float, float]:
        """Close the epoch: (train loss, train score, val loss, val score) of the twin."""
        from .base import running_score

        torch = self.torch
        tr_loss = float(np.mean(self._epoch_losses)) if self._epoch_losses else float("nan")
        tr_score = self._epoch_score[0] / max(self._epoch_score[1], 1)
        self._epoch_losses, self._epoch_score = [], [0.0, 0]
        self.model.eval()
        with torch.no_grad():
            out = self.model(self._t(x_val))
            val_loss = self.loss_fn(out, self._t(y_val)).item()
        val_score = running_score(self.task, out.numpy(), y_val)
        if self.scheduler is not None:
            self.scheduler.step(val_loss)
        for k, v in (
            ("train_loss", tr_loss),
            ("train_score", tr_score),
            ("val_loss", val_loss),
            ("val_score", val_score),
        ):
            self.history[k].append(v)
        return tr_loss, tr_score, val_loss, val_score

    def snapshot(self) -> None:
        """Keep the current weights (tg found a new best validation loss)."""
        self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def restore_best(self) -> None:
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)

    def param_dev(self, tg_model) -> float:
        """Largest |tg − torch| over every parameter and buffer after training."""
        ours = tg_model.state_dict()
        worst = 0.0
        for k, v in self.model.state_dict().items():
            a, b = to_numpy(ours[k]).astype(np.float64), v.detach().numpy().astype(np.float64)
            if a.size:
                worst = max(worst, float(np.max(np.abs(a - b))))
        return worst
