"""torch's own test databases as tinygrad_edu's oracle.

torch's wheel ships the OpInfo, ModuleInfo and OptimizerInfo databases its developers test torch
with (:mod:`.db`). This package runs them on tinygrad_edu: every OpInfo whose name tinygrad_edu
implements (:mod:`.resolve`) is called on all of its CPU float32/float64 samples through every
variant, and compared with torch (:mod:`.ops`, :mod:`.autodiff`, :mod:`.compare`); modules
(:mod:`.modules`) and optimizers (:mod:`.optim`) likewise. Results are :mod:`.records`;
excused failures live only in :mod:`.waivers`; :mod:`.status` prints the coverage per family
(:mod:`.families`).

This is a top-layer tool: it imports torch, so nothing in the engine may import it.
"""
