"""Run a recipe end to end: data, model, the loop with progress bars, the torch twin, the
final table of metrics, plots and checkpoints. ``run(recipe, cfg)`` returns a ``Result``.
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

from .base import RecipeError, predictions, to_numpy
from .loop import Config, Result, Trainer, now, read_checkpoint

DROPOUT_NOTE = (
    "note: the torch twin draws its own dropout masks and shuffles from torch's generator, "
    "seeded like tg's, and they are the same numbers, so the runs stay comparable"
)


def show_bars(cfg: Config) -> bool:
    """Progress bars only for a person at a terminal. On a pipe or in a log file a bar is a
    stream of carriage returns and escape codes, so there each epoch is one plain line."""
    isatty = getattr(sys.stderr, "isatty", None)
    return not cfg.quiet and bool(isatty is not None and isatty())


def _bar_factory(cfg: Config):
    if not show_bars(cfg):
        return lambda it, desc: it
    from tqdm.auto import tqdm

    return lambda it, desc: tqdm(it, desc=desc, leave=False, file=sys.stderr, dynamic_ncols=True)


def _probe_dir(d: str, option: str) -> None:
    """RecipeError unless a file can be created in the existing directory ``d``."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=d):
            pass
    except OSError as e:
        why = e.strerror or type(e).__name__
        raise RecipeError(f"{option}: can not write into {d} ({why})") from None


def check_writable(cfg: Config) -> None:
    """Fail before training, not after it, when --save or --plot can not be written."""
    if cfg.save:
        path = os.path.abspath(cfg.save)
        parent = os.path.dirname(path)
        if os.path.isdir(path):
            raise RecipeError(f"--save: {cfg.save} is a directory; give a file path")
        if not os.path.isdir(parent):
            raise RecipeError(f"--save: the folder {parent} does not exist")
        _probe_dir(parent, "--save")
    if cfg.plot:
        d = os.path.abspath(cfg.plot)
        if os.path.exists(d) and not os.path.isdir(d):
            raise RecipeError(f"--plot: {cfg.plot} exists and is not a folder")
        existing = d
        while not os.path.exists(existing):  # the folders to create go under this one
            existing = os.path.dirname(existing)
        if not os.path.isdir(existing):
            raise RecipeError(f"--plot: can not create {d}: {existing} is not a folder")
        _probe_dir(existing, "--plot")


def _restore(tr: Trainer, ck: dict, path: str, recipe) -> None:
    """Trainer.restore with every failure as one RecipeError line (a checkpoint whose shapes,
    optimizer groups, rng state or learning rates do not fit this recipe)."""
    from .loop import _one_line

    try:
        tr.restore(ck)
    except (KeyError, ValueError, TypeError, RuntimeError, IndexError, AttributeError) as e:
        raise RecipeError(
            f"--resume: {path} does not fit recipe '{recipe.name}': {_one_line(e)}"
        ) from None
    for i, g in enumerate(tr.optimizer.param_groups):
        lr = g.get("lr")
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not (
            math.isfinite(lr) and lr >= 0
        ):
            raise RecipeError(
                f"--resume: {path} has a bad learning rate {lr!r} in optimizer group {i} "
                "(expected a finite number >= 0)"
            )


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if v != 0 and abs(v) < 1e-3:
        return f"{v:.2e}"
    return f"{v:.4f}" if abs(v) < 1e4 else f"{v:.4g}"


def metrics_table(metrics: dict) -> str:
    cols = list(next(iter(metrics.values())).keys())
    lines = ["split  " + "".join(f"{c:>11}" for c in cols)]
    for split, row in metrics.items():
        lines.append(f"{split:<7}" + "".join(f"{_fmt(row[c]):>11}" for c in cols))
    return "\n".join(lines)


def _check_bar(recipe, metrics, variant=None) -> tuple[str, float, bool]:
    name, op, target = recipe.bar_for(variant)
    value = metrics["test"][name]
    ok = value >= target if op == ">=" else value <= target
    return name, value, bool(ok)


def _one_blas_thread():
    """Small GEMMs run fastest on one BLAS thread; several threads spinning on a busy machine
    can make a 32×128 matmul hundreds of times slower. threadpoolctl ships with scikit-learn."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def run(recipe, cfg: Config, log=print) -> Result:
    """Train ``recipe`` with ``cfg``; ``log`` receives the human-readable lines."""
    with _one_blas_thread():
        return _run(recipe, cfg, log)


def _run(recipe, cfg: Config, log) -> Result:
    import tinygrad_edu as tg

    t0 = now()
    say = (lambda s: None) if cfg.quiet else log
    if cfg.device == "cuda" and not tg.cuda.is_available():
        raise RecipeError("--device cuda: no CUDA GPU is visible (or CuPy is not installed)")
    check_writable(cfg)
    ck = meta = None
    if cfg.resume:
        ck, meta = read_checkpoint(cfg.resume)
    tg.manual_seed(cfg.seed)
    data = recipe.load_data(cfg)
    tr = Trainer(recipe, cfg, data, say)
    if ck is not None:
        _restore(tr, ck, cfg.resume, recipe)
        say(f"resumed {cfg.resume} after epoch {tr.epoch}")
    if cfg.compare_torch:
        from .twin import TorchTwin

        tr.twin = TorchTwin(recipe, cfg, data, tr.model)
    bar = _bar_factory(cfg)
    epochs = range(tr.epoch, cfg.epochs)
    if show_bars(cfg):
        from tqdm.auto import tqdm

        epochs = tqdm(
            epochs,
            desc=recipe.name,
            total=cfg.epochs,
            initial=tr.epoch,
            file=sys.stderr,
            dynamic_ncols=True,
        )
    write = (lambda s: epochs.write(s, file=sys.stdout)) if hasattr(epochs, "write") else say
    sc = tr.score
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in epochs:
            if tr.stopped_early:
                break
            tr_loss, tr_score = tr.train_epoch(bar)
            val_loss, val_score = tr.evaluate("val")
            tr.end_epoch(tr_loss, tr_score, val_loss, val_score)
            if not cfg.quiet:
                write(
                    f"epoch {tr.epoch:>3}/{cfg.epochs}  train loss {tr_loss:.6f} {sc} "
                    f"{tr_score:.4f} | val loss {val_loss:.6f} {sc} {val_score:.4f}"
                )
            if tr.companion is not None:
                line = tr.companion.end_epoch(tr)
                if line and not cfg.quiet:
                    write(line)
            if tr.twin is not None:
                if tr.best_state is not None and tr.best_epoch == tr.epoch:
                    tr.twin.snapshot()  # the twin keeps its weights of the same epoch
                x_val, y_val = data.split("val")
                t_loss, t_score, t_vloss, t_vscore = tr.twin.end_epoch(
                    to_numpy(tr.tensors["val"][0]), y_val
                )
                if not cfg.quiet:
                    write(
                        f"      torch  train loss {t_loss:.6f} {sc} {t_score:.4f} | val loss "
                        f"{t_vloss:.6f} {sc} {t_vscore:.4f} | max |Δ step loss| so far "
                        f"{max(tr.twin.step_dev):.3g}"
                    )
            if cfg.save:
                tr.save(cfg.save)
            if hasattr(epochs, "set_postfix"):
                epochs.set_postfix(val_loss=f"{val_loss:.4f}", **{f"val_{sc}": f"{val_score:.4f}"})
            if tr.stopped_early:
                write(
                    f"early stopping: val loss has not improved for {cfg.patience} epochs; "
                    f"restoring the best model (epoch {tr.best_epoch})"
                )
                break
    if hasattr(epochs, "close"):
        epochs.close()
    if tr.best_state is not None and cfg.patience is not None:
        tr.model.load_state_dict(tr.best_state)
        if tr.twin is not None:
            tr.twin.restore_best()
    metrics = {}
    outs = {}
    for split in ("train", "val", "test"):
        out, loss = tr.outputs(split)
        outs[split] = out
        from .base import split_metrics

        metrics[split] = split_metrics(recipe.task, out, data.split(split)[1], loss)
    name, value, ok = _check_bar(recipe, metrics, cfg.variant)
    res = Result(
        recipe=recipe.name,
        config=cfg,
        history=tr.history,
        metrics=metrics,
        epochs_run=tr.epoch,
        stopped_early=tr.stopped_early,
        best_epoch=tr.best_epoch,
        wall_s=0.0,
        bar_metric=name,
        bar_value=value,
        bar_met=ok,
    )
    if tr.twin is not None:
        tw = tr.twin
        res.torch_history = tw.history
        val_pairs = list(zip(tw.history["val_loss"], tr.history["val_loss"]))
        res.max_loss_rel_dev = max(
            tw.step_rel + [abs(a - b) / max(1.0, abs(b)) for a, b in val_pairs]
        )
        res.max_loss_dev = max(
            tw.step_dev
            + [abs(a - b) for a, b in zip(tw.history["val_loss"], tr.history["val_loss"])]
        )
        res.max_param_dev = tw.param_dev(tr.model)
        res.twin_init_dev, res.twin_batch_mismatches = tw.init_dev, tw.batch_mismatches
        if tw.n_dropout:
            res.dropout_note = DROPOUT_NOTE
    if recipe.report is not None:
        res.report = recipe.report(tr.model, data, cfg) or ""
    if tr.companion is not None:
        res.extra = tr.companion.summary()
        res.report = "\n".join(s for s in (tr.companion.report(), res.report) if s)
    if cfg.plot:
        write_plots(recipe, tr, data, outs, cfg.plot)
    res.wall_s = now() - t0
    log(
        f"\n{recipe.name}: {tr.epoch} epochs, {cfg.optimizer} lr={cfg.lr:g}, batch "
        f"{cfg.batch_size}, {cfg.dtype}, {cfg.device}"
        + (", stopped early" if tr.stopped_early else "")
    )
    log(metrics_table(metrics))
    _, op, target = recipe.bar_for(cfg.variant)
    log(
        f"bar: test {name} {value:.4f} {op} {target} -> {'met' if ok else 'NOT met'}"
        f"  ({res.wall_s:.1f} s)"
    )
    if res.max_loss_dev is not None:
        log(
            f"torch twin: largest |loss_tg - loss_torch| = {res.max_loss_dev:.3g} "
            f"(relative {res.max_loss_rel_dev:.3g}) over {len(tr.twin.step_dev)} steps and "
            f"{len(tr.history['val_loss'])} validations; largest parameter deviation = "
            f"{res.max_param_dev:.3g} ({cfg.dtype}); twin built from the seed alone: initial "
            f"weights differ by {res.twin_init_dev:.3g}, {res.twin_batch_mismatches} of its "
            "batches differ from tg's"
        )
        if res.dropout_note:
            log(res.dropout_note)
    if res.report:
        log(res.report)
    if cfg.plot:
        log(f"plots written to {os.path.abspath(cfg.plot)}")
    return res


def write_plots(recipe, tr: Trainer, data, outs: dict, plot_dir: str) -> list[str]:
    from .. import metrics as M
    from .. import plotting as P

    os.makedirs(plot_dir, exist_ok=True)
    paths = [
        P.plot_learning_curves(
            tr.history,
            os.path.join(plot_dir, "learning_curves.png"),
            title=recipe.name,
            metric=tr.score,
        )
    ]
    task = recipe.task
    if task != "regression":
        pred, _ = predictions(task, outs["test"])
        y = data.y_test.reshape(-1).astype(np.int64)
        labels = list(range(max(int(y.max()), int(pred.max())) + 1))
        cm = M.confusion_matrix(y, pred, labels=labels)
        paths.append(
            P.plot_confusion_matrix(
                cm,
                os.path.join(plot_dir, "confusion_matrix.png"),
                labels=data.class_names or labels,
                title=f"{recipe.name}: confusion matrix (test)",
            )
        )
    if data.x_train.ndim == 2 and data.x_train.shape[1] == 2 and task != "regression":
        paths.append(
            P.plot_decision_boundary(
                lambda g: predictions(task, _predict(tr, g))[0],
                data.x_train,
                data.y_train.reshape(-1),
                os.path.join(plot_dir, "decision_boundary.png"),
                data.x_test,
                data.y_test.reshape(-1),
                title=f"{recipe.name}: decision boundary",
            )
        )
    if task == "regression" and data.x_train.shape[1] == 1:
        paths.append(
            P.plot_predictions(
                data.x_train,
                data.y_train,
                data.x_test,
                data.y_test,
                outs["test"],
                os.path.join(plot_dir, "predictions.png"),
                title=f"{recipe.name}: test predictions",
            )
        )
    if tr.companion is not None:
        paths += tr.companion.plot(tr, plot_dir)
    return paths


def _predict(tr: Trainer, grid: np.ndarray) -> np.ndarray:
    tg = tr.tg
    tr.model.eval()
    with tg.no_grad():
        return to_numpy(tr.model(tg.tensor(grid, dtype=tr.dtype, device=tr.cfg.device)))
