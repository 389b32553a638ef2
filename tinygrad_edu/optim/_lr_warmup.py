"""Warm-up and decay schedulers: MultiplicativeLR, ConstantLR, LinearLR, PolynomialLR.

Each ``get_lr`` is torch's recursive form (the new rate from the current one), so the sequence
of rates equals torch's to the last bit; ``_get_closed_form_lr`` serves ``step(epoch)``.
"""

from __future__ import annotations

import types

from ._lr_base import LRScheduler
from .optimizer import Optimizer


def _current(optimizer: Optimizer) -> list:
    return [group["lr"] for group in optimizer.param_groups]


class MultiplicativeLR(LRScheduler):
    """``lr_e = lr_{e-1} · lr_lambda(e)`` (one function, or one per group); raises ValueError
    for a wrong number of functions, TypeError for a non-callable."""

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        if not isinstance(lr_lambda, (list, tuple)):
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        else:
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(
                    f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}"
                )
            self.lr_lambdas = list(lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict:
        """As torch: plain functions are not saved (None); callable objects save their __dict__."""
        sd = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        sd["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
            for fn in self.lr_lambdas
        ]
        return sd

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        lr_lambdas = state_dict.pop("lr_lambdas")
        self.__dict__.update(state_dict)
        for idx, fn in enumerate(lr_lambdas):
            if fn is not None:
                self.lr_lambdas[idx].__dict__.update(fn)

    def get_lr(self) -> list:
        self._warn_get_lr()
        if self._is_initial:
            return _current(self.optimizer)
        return [group["lr"] * fn(self.last_epoch)
                for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups)]


class ConstantLR(LRScheduler):
    """``lr = base_lr · factor`` for epochs < total_iters, then ``base_lr``; raises ValueError
    unless 0 ≤ factor ≤ 1."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_get_lr()
        if self.last_epoch == 0:
            return [lr * self.factor for lr in _current(self.optimizer)]
        if self.last_epoch != self.total_iters:
            return _current(self.optimizer)
        return [lr * (1.0 / self.factor) for lr in _current(self.optimizer)]

    def _get_closed_form_lr(self) -> list:
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """The multiplier goes linearly from ``start_factor`` to ``end_factor`` over total_iters
    epochs: ``lr_e = base_lr · (s + (f - s)·min(e, T)/T)``, computed recursively as torch::

        lr_e = lr_{e-1} · (1 + (f - s) / (T·s + (e - 1)·(f - s)))

    Raises ValueError unless 0 < start_factor ≤ 1 and 0 ≤ end_factor ≤ 1."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or equal "
                "to 1."
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_get_lr()
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in _current(self.optimizer)]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _current(self.optimizer)
        s, f, t = self.start_factor, self.end_factor, self.total_iters
        factor = 1.0 + (f - s) / (t * s + (self.last_epoch - 1) * (f - s))
        return [lr * factor for lr in _current(self.optimizer)]

    def _get_closed_form_lr(self) -> list:
        s, f, t = self.start_factor, self.end_factor, self.total_iters
        return [base * (s + (f - s) * min(t, self.last_epoch) / t) for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """``lr_e = base_lr · (1 - min(e, T)/T)^power``, recursively as torch::

        lr_e = lr_{e-1} · ((1 - e/T) / (1 - (e - 1)/T))^power

    Raises KeyError for a ``last_epoch`` ≠ −1 when the optimizer's groups have no ``initial_lr``
    (resuming without a schedule).
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_get_lr()
        if self._is_initial or self.last_epoch > self.total_iters:
            return _current(self.optimizer)
        t = self.total_iters
        decay = ((1.0 - self.last_epoch / t) / (1.0 - (self.last_epoch - 1) / t)) ** self.power
        return [lr * decay for lr in _current(self.optimizer)]

    def _get_closed_form_lr(self) -> list:
        t = self.total_iters
        return [base * (1.0 - min(t, self.last_epoch) / t) ** self.power for base in self.base_lrs]
