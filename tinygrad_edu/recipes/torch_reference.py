"""How the recipes' bars are set: each recipe trained by torch ALONE, for several seeds.

torch builds the recipe's model from the recipe's own code with its own initialisation, draws
its own shuffling and dropout masks, and trains with the recipe's loss, optimizer, defaults
and early-stopping rule (the one ``loop.Trainer`` uses: stop after ``patience`` epochs without
a lower validation loss, keep the best weights) on the same data split. Nothing of
tinygrad_edu's runs enters. A recipe's bar is set a little below the worst of these runs
(``suggest_bar``: the lowest test score minus two binomial standard errors of the test
accuracy, at least 0.01, rounded down to 0.01), so that a correct engine meets it whatever
its own random draws.

    python -m tinygrad_edu.recipes.torch_reference mnist --seeds 0 1 2 3 4
    python -m tinygrad_edu.recipes.torch_reference lstm --seeds 0 1 2 -- --variant reviews

(everything after ``--`` is a ``tinygrad-edu train`` option).

``--sensitivity`` measures instead how fast the recipe's training amplifies a rounding-sized
difference: torch against itself, the second run's initial weights scaled by 1 + 1e-15. Where
that grows past 1e-10 (the RNN and LSTM digit runs, with Adam), no second library can match
torch's losses to 1e-10 over the whole run either; the twin's deviation then says how long
tinygrad_edu keeps step with torch (``--dtype float64`` for the float64 picture).
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

from .base import init_weights, make_optimizer, make_scheduler, split_metrics
from .twin import import_torch

MARGIN = 0.01


def torch_run(recipe, cfg, perturb: float = 0.0) -> dict:
    """Train ``recipe`` with torch only; returns {"epochs", "wall_s", "metrics": split -> row,
    "n_test", "step_losses"}. ``perturb`` scales every initial weight by (1 + perturb)."""
    torch = import_torch()
    from torch.utils.data import DataLoader, TensorDataset

    t0 = time.perf_counter()
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    data = recipe.load_data(cfg)
    dtype = getattr(torch, cfg.dtype)
    model = recipe.build(torch, cfg, data)
    init_weights(torch.nn, model, cfg.init)
    model.to(dtype)
    if perturb:
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(1 + perturb)
    loss_fn = recipe.loss(torch)
    optimizer = make_optimizer(torch.optim, recipe, cfg, model.parameters())
    scheduler = make_scheduler(torch.optim, recipe, optimizer)

    def tensor(a):
        t = torch.from_numpy(np.ascontiguousarray(a))
        return t.to(dtype) if t.is_floating_point() else t

    splits = {s: tuple(map(tensor, data.split(s))) for s in ("train", "val", "test")}
    gen = torch.Generator().manual_seed(cfg.seed)
    loader = DataLoader(TensorDataset(*splits["train"]), batch_size=cfg.batch_size,
                        shuffle=True, generator=gen)

    def outputs(split):
        model.eval()
        with torch.no_grad():
            x, y = splits[split]
            out = model(x)
            return out, loss_fn(out, y).item()

    best, bad, best_state, epochs, step_losses = math.inf, 0, None, 0, []
    for _ in range(cfg.epochs):
        model.train()
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step_losses.append(loss.item())
        epochs += 1
        _, val_loss = outputs("val")
        if scheduler is not None:
            scheduler.step(val_loss)
        if val_loss < best:
            best, bad = val_loss, 0
            if cfg.patience is not None:
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
        if cfg.patience is not None and bad >= cfg.patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    metrics = {}
    for split in ("train", "val", "test"):
        out, loss = outputs(split)
        metrics[split] = split_metrics(recipe.task, out.numpy(), data.split(split)[1], loss)
    return {"epochs": epochs, "wall_s": time.perf_counter() - t0, "metrics": metrics,
            "n_test": len(data.y_test), "step_losses": step_losses}


def sensitivity(recipe, cfg, eps: float = 1e-15) -> np.ndarray:
    """|Δloss| per training step between two torch runs that differ only by every initial
    weight scaled by (1 + eps): same data, batches and dropout masks. How fast this grows is
    how fast the training itself amplifies rounding differences (chaos), which bounds how long
    two correct libraries can agree step by step."""
    a = torch_run(recipe, cfg)["step_losses"]
    b = torch_run(recipe, cfg, perturb=eps)["step_losses"]
    n = min(len(a), len(b))
    return np.abs(np.asarray(a[:n]) - np.asarray(b[:n]))


def first_above(devs, threshold: float) -> int | None:
    """The first step (1-based) whose deviation exceeds ``threshold``, or None."""
    over = np.flatnonzero(np.asarray(devs) > threshold)
    return int(over[0]) + 1 if len(over) else None


def suggest_bar(op: str, scores: list[float], n_test: int | None = None) -> float:
    """A little below the worst torch run (above the worst, for an error metric like mae).

    For an accuracy on ``n_test`` examples the margin is two binomial standard errors,
    2·sqrt(p(1 − p)/n) at the mean score p (one review of a 30-review test split is 3.3
    points), and at least ``MARGIN``; the bar is rounded outwards to 0.01.
    """
    margin = MARGIN
    if n_test:
        p = float(np.mean(scores))
        margin = max(MARGIN, 2 * math.sqrt(max(p * (1 - p), 0.0) / n_test))
    if op == ">=":
        return math.floor((min(scores) - margin) * 100 + 1e-9) / 100
    return math.ceil((max(scores) + margin) * 100 - 1e-9) / 100


def main(argv: list[str] | None = None) -> int:
    from .. import cli

    argv = list(sys.argv[1:] if argv is None else argv)
    train_opts = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(prog="python -m tinygrad_edu.recipes.torch_reference")
    p.add_argument("recipe")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--sensitivity", action="store_true",
                   help="instead: torch against itself with initial weights scaled by 1+1e-15")
    args = p.parse_args(own)
    recipe = cli._recipe(args.recipe)
    if args.sensitivity:
        targs = cli.build_parser().parse_args(["train", args.recipe, *train_opts])
        cfg = cli.make_config(targs, recipe)
        d = sensitivity(recipe, cfg)
        marks = ", ".join(f"> {t:g} at step {first_above(d, t)}" for t in (1e-12, 1e-10, 1e-8))
        print(f"{recipe.name} ({cfg.dtype}) torch vs torch with weights x (1 + 1e-15), "
              f"{len(d)} steps: largest |Δloss| {d.max():.3g}; {marks}")
        return 0
    scores = []
    for seed in args.seeds:
        targs = cli.build_parser().parse_args(
            ["train", args.recipe, "--seed", str(seed), *train_opts]
        )
        cfg = cli.make_config(targs, recipe)
        metric, op, bar = recipe.bar_for(cfg.variant)
        r = torch_run(recipe, cfg)
        score = r["metrics"]["test"][metric]
        scores.append(score)
        n_test = r["n_test"] if metric == "acc" else None
        print(f"{recipe.name} torch seed {seed}: test {metric} {score:.4f} after "
              f"{r['epochs']} epochs ({r['wall_s']:.1f} s)", flush=True)
    print(f"{recipe.name} torch over {len(scores)} seeds: test {metric} min {min(scores):.4f} "
          f"mean {np.mean(scores):.4f} max {max(scores):.4f}; suggested bar {op} "
          f"{suggest_bar(op, scores, n_test)} (current {op} {bar})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
