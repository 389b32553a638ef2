"""The one training loop every recipe shares (seeds 000/001 style).

Per epoch: shuffled mini-batches (zero_grad → forward → loss → backward → step), then the
validation loss and score, the scheduler, early stopping on validation loss (keeping the best
weights) and an optional checkpoint. With ``compare_torch`` a torch twin (built from the same
seed) draws its own batches and steps beside it.
"""

from __future__ import annotations

import base64
import json
import math
import pickle
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from .. import random as _random
from .base import (
    Data,
    Recipe,
    RecipeError,
    TrainingDiverged,
    init_weights,
    make_optimizer,
    make_scheduler,
    running_score,
    score_name,
    to_numpy,
)

CHECKPOINT_FORMAT = "tinygrad_edu.recipe-checkpoint/1"
EVAL_CHUNK = 4096


@dataclass
class Config:
    recipe: str
    epochs: int
    lr: float
    optimizer: str
    batch_size: int
    device: str = "cpu"
    dtype: str = "float32"
    seed: int = 0
    patience: int | None = None
    data_dir: str | None = None
    variant: str | None = None
    bidirectional: bool = False
    init: str = "default"
    compare_torch: bool = False
    plot: str | None = None
    save: str | None = None
    resume: str | None = None
    quiet: bool = False


# what a resumed run takes from the checkpoint rather than from the command line
_FROZEN = (
    "recipe",
    "lr",
    "optimizer",
    "batch_size",
    "dtype",
    "seed",
    "patience",
    "data_dir",
    "variant",
    "bidirectional",
    "init",
)


@dataclass
class Result:
    recipe: str
    config: Config
    history: dict
    metrics: dict  # split -> {metric: value}
    epochs_run: int
    stopped_early: bool
    best_epoch: int
    wall_s: float
    bar_metric: str
    bar_value: float
    bar_met: bool
    torch_history: dict = field(default_factory=dict)
    max_loss_dev: float | None = None
    max_loss_rel_dev: float | None = None  # |Δloss| / max(1, |loss|)
    max_param_dev: float | None = None
    dropout_note: str | None = None
    twin_init_dev: float | None = None  # largest |tg − torch| of the initial weights
    twin_batch_mismatches: int | None = None  # twin batches that differed from tg's
    report: str = ""
    extra: dict = field(default_factory=dict)  # the recipe companion's numbers


def _rng_state() -> str:
    """The host generator's state (torch's 5056-byte layout), as base64 text."""
    return base64.b64encode(_random.get_rng_state().numpy().tobytes()).decode("ascii")


def _set_rng_state(s: str) -> None:
    _random.set_rng_state(np.frombuffer(base64.b64decode(s), dtype=np.uint8).copy())


class Trainer:
    def __init__(self, recipe: Recipe, cfg: Config, data: Data, log=None):
        import tinygrad_edu as tg

        self.tg, self.recipe, self.cfg, self.data = tg, recipe, cfg, data
        self.log = log or (lambda s: None)
        self.dtype = getattr(tg, cfg.dtype)
        self.model = recipe.build(tg, cfg, data)
        init_weights(tg.nn, self.model, cfg.init)
        if cfg.dtype != "float32":
            self.model.to(self.dtype)
        self.model.to(cfg.device)
        self.loss_fn = recipe.loss(tg)
        self.optimizer = make_optimizer(tg.optim, recipe, cfg, self.model.parameters())
        self.scheduler = make_scheduler(tg.optim, recipe, self.optimizer)
        self.tensors = {s: self._tensors(*data.split(s)) for s in ("train", "val", "test")}
        self.task = recipe.task
        self.score = score_name(recipe.task)
        self.history: dict[str, list] = {
            k: []
            for k in ("train_loss", f"train_{self.score}", "val_loss", f"val_{self.score}", "lr")
        }
        self.epoch = 0
        self.best_val = math.inf
        self.best_epoch = 0
        self.bad_epochs = 0
        self.stopped_early = False
        self.best_state = None
        self.twin = None
        self.companion = recipe.companion(self) if recipe.companion is not None else None

    # -- data ------------------------------------------------------------------------------
    def _tensors(self, x: np.ndarray, y: np.ndarray):
        tg = self.tg
        xdt = tg.int64 if np.issubdtype(x.dtype, np.integer) else self.dtype  # token ids stay ints
        xt = tg.tensor(x, dtype=xdt, device=self.cfg.device)
        ydt = tg.int64 if np.issubdtype(y.dtype, np.integer) else self.dtype
        return xt, tg.tensor(y, dtype=ydt, device=self.cfg.device)

    def loader(self):
        from ..utils.data import DataLoader, TensorDataset

        x, y = self.tensors["train"]
        return DataLoader(TensorDataset(x, y), batch_size=self.cfg.batch_size, shuffle=True)

    # -- one epoch ---------------------------------------------------------------------------
    def train_epoch(self, bar_factory):
        self.model.train()
        tot_loss = tot_score = 0.0
        n_batches = n_seen = 0
        batches = bar_factory(self.loader(), f"epoch {self.epoch + 1}/{self.cfg.epochs}")
        if self.twin is not None:
            self.twin.start_epoch()
        for xb, yb in batches:
            out = self.model(xb)
            out_np = to_numpy(out)
            loss = self.loss_fn(out, yb)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            lv = loss.item()
            if not (math.isfinite(lv) and np.isfinite(out_np).all()):
                raise TrainingDiverged(
                    f"training diverged at epoch {self.epoch + 1}, batch {n_batches + 1}: "
                    f"the loss is {lv} (try a smaller --lr than {self.cfg.lr:g})"
                )
            y_np = to_numpy(yb)
            if self.twin is not None or self.companion is not None:
                x_np = to_numpy(xb)
                if self.twin is not None:
                    self.twin.train_step(x_np, y_np, lv)
                if self.companion is not None:
                    self.companion.train_step(self, x_np, y_np, lv)
            n = len(y_np)
            tot_loss += lv
            tot_score += running_score(self.task, out_np, y_np) * n
            n_batches += 1
            n_seen += n
            if hasattr(batches, "set_postfix"):
                batches.set_postfix(
                    loss=f"{tot_loss / n_batches:.4f}",
                    refresh=False,
                    **{self.score: f"{tot_score / n_seen:.4f}"},
                )
        return tot_loss / max(n_batches, 1), tot_score / max(n_seen, 1)

    def outputs(self, split: str):
        """Eval-mode outputs over a whole split (in chunks) and the split's loss."""
        tg = self.tg
        x, y = self.tensors[split]
        self.model.eval()
        with tg.no_grad():
            outs = [self.model(x[i : i + EVAL_CHUNK]) for i in range(0, len(x), EVAL_CHUNK)]
            out = outs[0] if len(outs) == 1 else tg.cat(outs)
            loss = self.loss_fn(out, y).item()
        return to_numpy(out), loss

    def evaluate(self, split: str):
        out, loss = self.outputs(split)
        return loss, running_score(self.task, out, to_numpy(self.tensors[split][1]))

    # -- early stopping, checkpoints -------------------------------------------------------
    def _snapshot(self):
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def end_epoch(self, tr_loss, tr_score, val_loss, val_score):
        h = self.history
        h["train_loss"].append(tr_loss)
        h[f"train_{self.score}"].append(tr_score)
        h["val_loss"].append(val_loss)
        h[f"val_{self.score}"].append(val_score)
        h["lr"].append(self.optimizer.param_groups[0]["lr"])
        if self.scheduler is not None:
            self.scheduler.step(val_loss)
        self.epoch += 1
        if val_loss < self.best_val:  # seeds 000/001: keep the best model, reset the counter
            self.best_val, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            if self.cfg.patience is not None:
                self.best_state = self._snapshot()
        else:
            self.bad_epochs += 1
        if self.cfg.patience is not None and self.bad_epochs >= self.cfg.patience:
            self.stopped_early = True

    def checkpoint(self) -> dict:
        meta = {
            "format": CHECKPOINT_FORMAT,
            "config": asdict(self.cfg),
            "epoch": self.epoch,
            "best_val": self.best_val if math.isfinite(self.best_val) else None,
            "best_epoch": self.best_epoch,
            "bad_epochs": self.bad_epochs,
            "stopped_early": self.stopped_early,
            "history": self.history,
            "rng": _rng_state(),
        }
        ck = {
            "meta": json.dumps(meta),
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
        }
        if self.scheduler is not None:
            ck["scheduler"] = self.scheduler.state_dict()
        if self.best_state is not None:
            ck["best_model"] = self.best_state
        if self.companion is not None:
            ck["companion"] = self.companion.state_dict()
        return ck

    def save(self, path: str) -> None:
        self.tg.save(self.checkpoint(), path)

    def restore(self, ck: dict) -> None:
        meta = json.loads(ck["meta"])
        self.model.load_state_dict(ck["model"])
        self.optimizer.load_state_dict(ck["optimizer"])
        if self.scheduler is not None and "scheduler" in ck:
            self.scheduler.load_state_dict(ck["scheduler"])
        if "best_model" in ck:
            self.best_state = {k: v for k, v in ck["best_model"].items()}
        if self.companion is not None and "companion" in ck:
            self.companion.load_state_dict(ck["companion"])
        self.epoch = meta["epoch"]
        bv = meta["best_val"]
        self.best_val = math.inf if bv is None else bv
        self.best_epoch, self.bad_epochs = meta["best_epoch"], meta["bad_epochs"]
        self.stopped_early = meta["stopped_early"]
        self.history = {k: list(v) for k, v in meta["history"].items()}
        _set_rng_state(meta["rng"])


def read_checkpoint(path: str) -> tuple[dict, dict]:
    """(checkpoint, its meta) from a file written by ``Trainer.save``; RecipeError otherwise."""
    import tinygrad_edu as tg

    try:
        ck = tg.load(path)
        meta = json.loads(ck["meta"])
        if meta.get("format") != CHECKPOINT_FORMAT:
            raise KeyError("format")
    except FileNotFoundError:
        raise RecipeError(f"--resume: no checkpoint at {path}") from None
    except OSError as e:  # a directory, an unreadable file
        raise RecipeError(f"--resume: can not read {path}: {_one_line(e)}") from None
    except (KeyError, TypeError, ValueError, RuntimeError, EOFError, pickle.UnpicklingError) as e:
        raise RecipeError(
            f"--resume: {path} is not a tinygrad-edu train checkpoint ({_one_line(e)})"
        ) from None
    return ck, meta


def _one_line(e: BaseException) -> str:
    """An exception as one line: whitespace runs (torch's multi-line state_dict errors) become
    one space, the ``tg.load: `` prefix goes (the caller names the file)."""
    text = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    text = " ".join(text.split()).removeprefix("tg.load: ")
    if len(text) > 300:  # e.g. one "size mismatch" per parameter: the first ones say enough
        text = text[:297].rsplit(" ", 1)[0] + " ..."
    if isinstance(e, KeyError):
        return f"missing entry {text!r}"
    return text or type(e).__name__


def resumed_config(cfg: Config, meta: dict, epochs_given: bool) -> Config:
    """The checkpoint's settings, with the command line's epochs/plot/save/quiet/device."""
    saved = meta["config"]
    if saved["recipe"] != cfg.recipe:
        raise RecipeError(
            f"--resume: the checkpoint is for recipe '{saved['recipe']}', not '{cfg.recipe}'"
        )
    out = Config(**{**asdict(cfg), **{k: saved[k] for k in _FROZEN if k in saved}})
    if not epochs_given:
        out.epochs = saved["epochs"]
    return out


def default_log(msg: str) -> None:
    print(msg, file=sys.stdout, flush=True)


def now() -> float:
    return time.perf_counter()
