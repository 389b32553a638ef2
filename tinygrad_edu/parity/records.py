"""Result records: one :class:`CheckResult` per (OpInfo, check, dtype), listing every failing
sample with its arguments and the reason, plus counts of passes and complex skips.

Checks: ``forward`` (values, dtype, shape of every variant on ``sample_inputs`` and
``reference_inputs``), ``grad`` (vector-Jacobian products under a random upstream gradient),
``gradgrad`` (second order), ``inplace`` (``x.op_(...)`` on a clone), ``error`` (``error_inputs``);
for modules ``module`` and ``module_error``; for optimizers ``optim`` and ``optim_error``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PASS, FAIL, UNSUPPORTED, EMPTY = "pass", "fail", "unsupported", "empty"
MAX_LISTED = 12  # failing samples spelled out in a message; the rest are counted


@dataclass
class SampleFailure:
    """One sample that did not match torch."""

    where: str  # "sample 3 via Tensor.add" / "reference 17 via tg.add"
    sample: str  # the arguments, described (shapes, dtypes, scalar values)
    kind: str  # short failure class: "value", "dtype", "raised TypeError", ...
    message: str  # the details (assert_close summary, exception text)

    def line(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}  [{self.sample}]"


@dataclass
class CheckResult:
    """Outcome of one check of one OpInfo/ModuleInfo/OptimizerInfo in one dtype."""

    name: str  # opinfo id ("div.floor_rounding"), "nn.Linear" or "Adam"
    check: str
    dtype: str | None = None
    passes: list = field(default_factory=list)  # where each passing sample ran
    failures: list = field(default_factory=list)
    skipped_complex: int = 0
    unsupported: str | None = None  # why the check cannot run yet (never counts as a pass)
    warnings: int = 0  # samples during which tinygrad_edu emitted a RuntimeWarning
    refereed: int = 0  # float32 samples passed by the float64 referee (parity/referee.py)
    by_differences: int = 0  # derivatives torch disowns, passed by finite differences
    note: str = ""

    @property
    def passed(self) -> int:
        return len(self.passes)

    @property
    def status(self) -> str:
        if self.unsupported:
            return UNSUPPORTED
        if self.failures:
            return FAIL
        return PASS if self.passed else EMPTY

    @property
    def key(self) -> str:
        return f"{self.name}:{self.check}" + (f":{self.dtype}" if self.dtype else "")

    def ok(self, where: str) -> None:
        self.passes.append(where)

    def fail(self, where: str, sample: str, kind: str, message: str) -> None:
        self.failures.append(SampleFailure(where, sample, kind, " ".join(str(message).split())))

    def message(self, limit: int = MAX_LISTED) -> str:
        """A readable report: counts, then the failing samples one per line."""
        head = f"{self.key}: {len(self.failures)} failing, {self.passed} passing" + (
            f", {self.skipped_complex} complex skipped" if self.skipped_complex else ""
        ) + (f" ({self.refereed} by the float64 referee)" if self.refereed else "") + (
            f" ({self.by_differences} by finite differences)" if self.by_differences else ""
        )
        lines = [head] + ["  " + f.line() for f in self.failures[:limit]]
        if len(self.failures) > limit:
            lines.append(f"  ... and {len(self.failures) - limit} more")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["passed"], d["status"] = self.passed, self.status
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "CheckResult":
        d = {k: v for k, v in d.items() if k not in ("status", "passed")}
        d["failures"] = [SampleFailure(**f) for f in d.get("failures", [])]
        return cls(**d)


def overall(results) -> str:
    """Status of one OpInfo/ModuleInfo/OptimizerInfo from its checks.

    ``passing``: every check passed. ``pending``: every check that runs passed, but gradgrad
    is not yet supported by the engine (not a pass). ``partial``: some samples fail, others
    pass. ``failing``: no sample of any check passes. ``n/a``: torch's database has nothing
    tinygrad_edu can run on the CPU (a CUDA-only or complex-only variant).
    """
    results = [r for r in results if r.status != EMPTY]
    if not results:
        return "n/a"
    if any(r.status == FAIL for r in results):
        return "partial" if any(r.passed for r in results) else "failing"
    if any(r.status == UNSUPPORTED for r in results):
        return "pending"
    return "passing"
