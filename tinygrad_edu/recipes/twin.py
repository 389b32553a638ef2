"""The torch twin: the recipe's model built by torch from the same code, given tg's initial
weights and fed the same batches, so every step's loss can be compared.

Dropout draws its masks from each library's own RNG, so the twin's Dropout layers are swapped
for a ``ReplayDropout`` that applies the masks tg drew (captured with forward hooks).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .base import RecipeError, make_optimizer, make_scheduler, to_numpy

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
        torch = import_torch()
        self.torch, self.recipe, self.task = torch, recipe, recipe.task
        torch.set_num_threads(1)  # tiny models: one thread is fastest (and deterministic)
        torch.manual_seed(cfg.seed)
        self.dtype = getattr(torch, cfg.dtype)
        model = recipe.build(torch, cfg, data)
        model.to(self.dtype)
        sd = {k: torch.from_numpy(np.array(to_numpy(v))) for k, v in tg_model.state_dict().items()}
        model.load_state_dict(sd, strict=True)
        self.model = model
        self.masks: deque = deque()
        self.n_dropout = self._replay_dropout(tg_model)
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

    def _replay_dropout(self, tg_model) -> int:
        """Hook tg's Dropout modules to record masks; swap the twin's for replaying ones."""
        torch, masks = self.torch, self.masks

        class ReplayDropout(torch.nn.Module):
            def __init__(self, p):
                super().__init__()
                self.p = p

            def forward(self, x):
                if not self.training or self.p == 0:
                    return x
                return x * torch.from_numpy(masks.popleft()).to(x.dtype)

        def record(mod, inputs, output):
            if mod.training and mod.p > 0:
                out = to_numpy(output)
                masks.append(np.where(out != 0, 1.0 / (1.0 - mod.p), 0.0))

        tg_nn = __import__("tinygrad_edu").nn
        n = 0
        for m in tg_model.modules():
            if isinstance(m, tg_nn.Dropout):
                m.register_forward_hook(record)
                n += 1
        for m in list(self.model.modules()):
            for child_name, child in list(m.named_children()):
                if isinstance(child, torch.nn.Dropout):
                    setattr(m, child_name, ReplayDropout(child.p))
        return n

    def _t(self, a: np.ndarray):
        t = self.torch.from_numpy(np.ascontiguousarray(a))
        return t.to(self.dtype) if t.is_floating_point() else t

    def train_step(self, xb: np.ndarray, yb: np.ndarray, tg_loss: float) -> None:
        from .base import running_score

        self.model.train()
        out = self.model(self._t(xb))
        loss = self.loss_fn(out, self._t(yb))
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
