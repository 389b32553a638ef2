"""Tools for seeing backprop: graph drawing, backward traces, gradcheck, graph statistics,
a node-by-node comparison with torch, and the parity report.

Reachable as ``tinygrad_edu.inspect`` (``tg.inspect``)::

    import tinygrad_edu as tg
    z = 2 * (a - b) + c
    print(tg.inspect.trace_backward(z))   # each step of the chain rule with its numbers
    tg.inspect.draw_graph(z, "z.svg")      # Graphviz drawing
"""

from __future__ import annotations

from .compare import CompareReport, NodeCheck, compare_with_torch
from .gradcheck import (
    GradcheckError,
    GradcheckResult,
    KinkWarning,
    check_gradients,
    gradcheck,
)
from .gradgrad import gradgradcheck
from .graph import DotGraph, GraphvizMissingWarning, draw_graph
from .rules import all_functions, derivative_rules, formula
from .stats import BackwardTracker, GraphStats, GraphWarning, graph_stats
from .trace import BackwardTrace, InputGrad, LeafGrad, TraceStep, format_trace, trace_backward

__all__ = [
    "draw_graph",
    "DotGraph",
    "GraphvizMissingWarning",
    "trace_backward",
    "format_trace",
    "BackwardTrace",
    "TraceStep",
    "InputGrad",
    "LeafGrad",
    "gradcheck",
    "gradgradcheck",
    "check_gradients",
    "GradcheckError",
    "GradcheckResult",
    "KinkWarning",
    "graph_stats",
    "GraphStats",
    "BackwardTracker",
    "GraphWarning",
    "compare_with_torch",
    "CompareReport",
    "NodeCheck",
    "all_functions",
    "derivative_rules",
    "formula",
]
