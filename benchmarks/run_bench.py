#!/usr/bin/env python
"""Run the tinygrad_edu benchmarks (same as ``tinygrad-edu bench``); see benchmarks/README.md.

python benchmarks/run_bench.py            # full run, writes benchmarks/results/
python benchmarks/run_bench.py --quick    # CI smoke mode (seconds; numbers meaningless)
"""

import sys

from tinygrad_edu.bench import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
