"""The op-level differential fuzzer (parity_tests/scripts/fuzz_ops.py): optable.py (the ops),
values.py and draw.py (a case from a seed), run.py (running and comparing), shrink.py
(signatures, minimal reproductions), kinds.py (what it found)."""
