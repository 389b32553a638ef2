"""``tinygrad-edu``: the command-line front door.

    tinygrad-edu list
    tinygrad-edu train RECIPE [--epochs N] [--lr X] [--optimizer sgd|adam|adamw|rmsprop] ...
    tinygrad-edu parity ...   (tinygrad_edu.parity.cli: torch's test databases, per family)
    tinygrad-edu bench ...    (tinygrad_edu.bench)

    tinygrad-edu --version

Exit status: 0 success; 2 bad arguments; 1 missing data or another problem a user can fix
(a --resume checkpoint that does not fit, a --save/--plot place that can not be written:
both checked before training starts); 3 a diverged (NaN/inf) run. Every failure prints
exactly one line on stderr, never a traceback. Progress bars are drawn only when stderr is a
terminal; piped or redirected, each epoch is one plain line.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import math
import sys

PROG = "tinygrad-edu"
EXIT_USAGE, EXIT_FAIL, EXIT_DIVERGED = 2, 1, 3
DISPATCH = {
    "parity": ("tinygrad_edu.parity.cli", "coverage of torch's OpInfo/ModuleInfo/OptimizerInfo "
               "databases per family"),
    "bench": ("tinygrad_edu.bench", "benchmarks against torch and NumPy peers"),
}


class UsageError(Exception):
    """Bad command-line arguments (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of argparse's usage block
        raise UsageError(f"{message} (see {self.prog} --help)")


def _checked(cast, ok, bad_parse: str, bad_value: str):
    """An argparse type: ``cast`` the text, then require ``ok(value)``; a one-line error if not."""

    def parse(s: str):
        try:
            v = cast(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {bad_parse}, got {s!r}") from None
        if not ok(v):
            raise argparse.ArgumentTypeError(f"expected {bad_value}, got {s!r}")
        return v

    return parse


_positive_int = _checked(int, lambda v: v >= 1, "a positive integer", "a positive integer")
_nonneg_int = _checked(int, lambda v: v >= 0, "an integer >= 0", "an integer >= 0")
_positive_float = _checked(float, lambda v: math.isfinite(v) and v > 0, "a positive number",
                           "a positive finite number")


def _version() -> str:
    """The installed distribution's version (the package's own when run from a checkout)."""
    from . import __version__

    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("tinygrad_edu")
    except (ImportError, PackageNotFoundError):
        return __version__


def build_parser() -> argparse.ArgumentParser:
    from .recipes.base import INITS, OPTIMIZERS

    p = _Parser(
        prog=PROG,
        description="Train the seed workflows with tinygrad_edu, side by side with torch.",
    )
    p.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    sub = p.add_subparsers(dest="command", metavar="{list,train,parity,bench}")
    sub.required = True
    sub.add_parser("list", help="list the recipes")
    t = sub.add_parser("train", help="train a recipe", prog=f"{PROG} train")
    t.add_argument("recipe", help="recipe name (see `tinygrad-edu list`)")
    t.add_argument("--epochs", type=_positive_int, help="number of epochs (recipe default)")
    t.add_argument("--lr", type=_positive_float, help="learning rate (recipe default)")
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS), help="optimizer (recipe default)")
    t.add_argument("--batch-size", type=_positive_int, help="mini-batch size (recipe default)")
    t.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    t.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    t.add_argument("--seed", type=_nonneg_int, default=0, help="seed of init and shuffling")
    t.add_argument(
        "--compare-torch",
        action="store_true",
        help="train a torch twin built from the same seed (same weights, batches, masks)",
    )
    t.add_argument("--plot", metavar="DIR", help="write learning curves and other PNGs to DIR")
    t.add_argument("--save", metavar="PATH", help="checkpoint to PATH after every epoch")
    t.add_argument("--resume", metavar="PATH", help="continue from a --save checkpoint")
    t.add_argument(
        "--patience",
        type=_nonneg_int,
        help="early stopping after N epochs without a better val loss (0: off)",
    )
    t.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data files instead of the shipped data: MNIST IDX files (mnist, cnn, rnn, lstm, "
        "gru, scratch-mlp) or a reviews CSV (reviews, --variant reviews)",
    )
    t.add_argument(
        "--variant", metavar="NAME", help="model variant or task (circles, breast-cancer, rnn...)"
    )
    t.add_argument(
        "--bidirectional", action="store_true", help="bidirectional recurrent layer (rnn/lstm/gru)"
    )
    t.add_argument(
        "--init",
        choices=list(INITS),
        help="weight init of every Linear (seed 001's weight_initialization)",
    )
    t.add_argument("--quiet", action="store_true", help="no progress bars or per-epoch lines")
    for name, (_, helptext) in DISPATCH.items():
        sub.add_parser(name, help=helptext, add_help=False)
    return p


def _recipe(name: str):
    from . import recipes

    try:
        return recipes.get(name)
    except KeyError:
        close = difflib.get_close_matches(name, recipes.names(), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise UsageError(
            f"unknown recipe '{name}'{hint} (choose from {', '.join(recipes.names())})"
        ) from None


def make_config(args, recipe):
    from .recipes.loop import Config

    variant = args.variant
    if variant is not None and variant not in recipe.variants:
        choices = ", ".join(recipe.variants) if recipe.variants else "none"
        raise UsageError(f"recipe '{recipe.name}' has no variant '{variant}' (variants: {choices})")
    variant = variant or (recipe.variants[0] if recipe.variants else None)
    d = recipe.defaults_for(variant)
    if args.bidirectional and "bidirectional" not in recipe.options:
        raise UsageError(f"recipe '{recipe.name}' has no --bidirectional option")
    if args.resume and args.compare_torch:
        raise UsageError(
            "--compare-torch cannot be combined with --resume (the twin must start "
            "from the same initial weights)"
        )
    patience = d.get("patience") if args.patience is None else (args.patience or None)
    return Config(
        recipe=recipe.name,
        epochs=args.epochs or d["epochs"],
        lr=args.lr or d["lr"],
        optimizer=args.optimizer or d["optimizer"],
        batch_size=args.batch_size or d["batch_size"],
        device=args.device,
        dtype=args.dtype,
        seed=args.seed,
        patience=patience,
        data_dir=args.data_dir,
        variant=variant,
        bidirectional=args.bidirectional,
        init=args.init or d.get("init", "default"),
        compare_torch=args.compare_torch,
        plot=args.plot,
        save=args.save,
        resume=args.resume,
        quiet=args.quiet,
    )


def cmd_list() -> int:
    from . import recipes

    width = max(map(len, recipes.names()))
    for name in recipes.names():
        r = recipes.get(name)
        metric, op, value = r.bar
        print(
            f"{name:<{width}}  seed {r.seed_note}  bar test {metric} {op} {value:<5}  {r.summary}"
        )
    return 0


def train(argv_args, log=print):
    """Run ``train`` from parsed arguments; returns the ``Result`` (raises on failure)."""
    from .recipes.base import RecipeError
    from .recipes.loop import read_checkpoint, resumed_config
    from .recipes.runner import run

    recipe = _recipe(argv_args.recipe)
    cfg = make_config(argv_args, recipe)
    if cfg.resume:
        _, meta = read_checkpoint(cfg.resume)
        try:
            cfg = resumed_config(cfg, meta, epochs_given=argv_args.epochs is not None)
        except (KeyError, TypeError) as e:
            raise RecipeError(f"--resume: {cfg.resume} has no usable settings ({e!r})") from None
        _check_resumed(cfg, recipe)
    return run(recipe, cfg, log=log)


def _check_resumed(cfg, recipe) -> None:
    """The settings a checkpoint brings must pass the same checks as the command line's."""
    from .recipes.base import INITS, OPTIMIZERS, RecipeError

    checks = {
        "epochs": _positive_int,
        "lr": _positive_float,
        "batch_size": _positive_int,
        "seed": _nonneg_int,
        "patience": lambda v: v if v is None else _nonneg_int(v),
    }
    choices = {
        "optimizer": sorted(OPTIMIZERS),
        "dtype": ["float32", "float64"],
        "init": list(INITS),
        "variant": list(recipe.variants) or [None],
    }
    for name, check in checks.items():
        value = getattr(cfg, name)
        try:
            if isinstance(value, bool) or not isinstance(value, (int, float, type(None))):
                raise argparse.ArgumentTypeError(f"expected a number, got {value!r}")
            check(str(value) if value is not None else None)
        except argparse.ArgumentTypeError as e:
            raise RecipeError(f"--resume: {cfg.resume} holds a bad {name}: {e}") from None
    for name, allowed in choices.items():
        if getattr(cfg, name) not in allowed:
            raise RecipeError(
                f"--resume: {cfg.resume} holds a bad {name} {getattr(cfg, name)!r} "
                f"(expected one of {', '.join(map(str, allowed))})"
            )


def train_from_argv(argv: list[str], log=print):
    """``tinygrad-edu train ...`` in-process, returning the ``Result`` (errors are raised)."""
    args = build_parser().parse_args(["train", *argv])
    return train(args, log=log)


def _dispatch(command: str, rest: list[str]) -> int:
    modname, _ = DISPATCH[command]
    try:
        mod = importlib.import_module(modname)
    except ModuleNotFoundError as e:
        if e.name and modname.startswith(e.name):
            print(f"{PROG} {command}: {modname} is not available in this install", file=sys.stderr)
            return EXIT_FAIL
        raise
    rc = mod.main(rest)
    return int(rc or 0)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tinygrad-edu``; returns the exit status."""
    from .recipes.base import RecipeError, TrainingDiverged

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DISPATCH:
        return _dispatch(argv[0], argv[1:])
    try:
        args = build_parser().parse_args(argv)
        if args.command == "list":
            return cmd_list()
        train(args)
        return 0
    except UsageError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except TrainingDiverged as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_DIVERGED
    except (RecipeError, ImportError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_FAIL
    except OSError as e:  # the disk filled up, a folder vanished mid-run, ...
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except SystemExit as e:  # --help, --version: argparse printed what was asked
        return e.code if isinstance(e.code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
