#!/usr/bin/env bash
# The one-shot GPU check (issue 13), for a machine with an NVIDIA GPU; writes
# benchmarks/results/gpu.md. Budget: under 8 minutes.
#
#   benchmarks/gpu_check.sh [--wheels DIR] [--no-install] [--dry-run] [--python PY]
#
#   --wheels DIR   install offline from the wheel files in DIR (pip --no-index --find-links DIR):
#                  cupy_cuda12x (cp312 on the GPU machine), fastrlock, cuda_pathfinder, and any
#                  of pytest, hypothesis, threadpoolctl, scikit-learn, scipy, tqdm the machine
#                  lacks. Without it: the package index.
#   --no-install   use what is installed
#   --dry-run      print every command, run none (checks the script without a GPU)
#
# Stages (each under its own timeout; a stage that fails is reported and the next one runs):
#   1. install tinygrad_edu[cuda] from this checkout (torch is never installed or replaced: a
#      CUDA build of torch, if present, is the benchmark reference)
#   2. check that CuPy sees a GPU
#   3. the cupy half of the parity suite on the real GPU: pytest --backend cupy (dev profile),
#      and the device end-to-end tests (MLP/CNN/LSTM steps, save/load, in-place vs the CPU)
#   4. every recipe trained 2 epochs with --device cuda (as many as fit the time budget)
#   5. benchmarks/gpu_bench.py: MLP step at batch 1024 and 8192, per-op overhead, CNN, against
#      torch CUDA eager, synchronized timing
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

PY=python3
WHEELS=""
INSTALL=1
DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wheels) WHEELS="${2:?--wheels needs a directory}"; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    --dry-run) DRY=1; shift ;;
    --python) PY="${2:?--python needs an interpreter}"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "gpu_check.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

OUT=benchmarks/results/gpu.md
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpu_check.XXXXXX")
RECIPES="perceptron xor circles moons blobs spirals line diabetes breast-cancer digits mnist cnn rnn lstm gru scratch-mlp reviews"
BUDGET=470          # seconds for the whole run (8 min minus a margin)
PARITY_S=240
RECIPE_S=25         # per recipe
RECIPES_TOTAL_S=100
BENCH_S=100

exec 3>&1  # the console, even while a stage's output goes to its log
[ "$DRY" = 1 ] && trap 'rm -rf "$WORK"' EXIT

run() {  # print, then run unless --dry-run; returns the command's status
  echo "+ $*" >&3
  [ "$DRY" = 1 ] && return 0
  "$@"
}

left() { echo $((BUDGET - SECONDS)); }

pipx() {  # pip install, offline from --wheels when given
  if [ -n "$WHEELS" ]; then
    run "$PY" -m pip install --no-index --find-links "$WHEELS" --no-build-isolation "$@"
  else
    run "$PY" -m pip install "$@"
  fi
}

echo "== gpu_check: $(date -u +%Y-%m-%dT%H:%MZ), python: $PY, work dir: $WORK"

# ---- 1. install ------------------------------------------------------------------------------
if [ "$INSTALL" = 1 ]; then
  pipx -e ".[cuda]" || echo "!! install of tinygrad_edu[cuda] failed"
  for mod_pkg in pytest:pytest hypothesis:hypothesis threadpoolctl:threadpoolctl \
                 sklearn:scikit-learn scipy:scipy tqdm:tqdm; do
    mod=${mod_pkg%%:*}; pkg=${mod_pkg#*:}
    if [ "$DRY" = 1 ] || ! "$PY" -c "import $mod" 2>/dev/null; then
      pipx "$pkg" || echo "!! could not install $pkg"
    fi
  done
fi

# ---- 2. a GPU? -------------------------------------------------------------------------------
GPU_LINE="(dry run)"
if [ "$DRY" = 0 ]; then
  GPU_LINE=$(timeout 60 "$PY" - <<'EOF' 2>&1
import tinygrad_edu as tg
from tinygrad_edu import backend
if not tg.cuda.is_available():
    raise SystemExit("no CUDA GPU visible to CuPy (is cupy-cuda12x installed? nvidia-smi?)")
props = backend._cp.cuda.runtime.getDeviceProperties(0)
name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
print(f"{name}, CuPy {backend._cp.__version__}, CUDA runtime "
      f"{backend._cp.cuda.runtime.runtimeGetVersion()}")
EOF
  ) || { echo "!! $GPU_LINE"; echo "gpu_check: stopping, nothing to check without a GPU" >&2;
         exit 1; }
fi
echo "GPU: $GPU_LINE"

# ---- 3. parity suite, real CuPy ----------------------------------------------------------------
T=$(( $(left) < PARITY_S ? $(left) : PARITY_S ))
run env HYPOTHESIS_PROFILE=dev timeout -s INT -k 20 "$T" "$PY" -m pytest -q -p no:cacheprovider \
  --backend cupy -k "cupy or device_steps" parity_tests/test_ops_parity.py parity_tests/test_optim.py \
  parity_tests/test_device_steps.py \
  --junitxml="$WORK/parity.xml" > "$WORK/parity.log" 2>&1
echo "parity rc=$? (log: $WORK/parity.log)"; tail -n 3 "$WORK/parity.log" 2>/dev/null

# ---- 4. recipes on the GPU -----------------------------------------------------------------------
: > "$WORK/recipes.tsv"
R0=$SECONDS
for r in $RECIPES; do
  if [ $((SECONDS - R0)) -ge "$RECIPES_TOTAL_S" ] || [ "$(left)" -le "$BENCH_S" ]; then
    printf '%s\tskipped\t-\tout of time\n' "$r" >> "$WORK/recipes.tsv"; continue
  fi
  t0=$SECONDS
  run timeout "$RECIPE_S" "$PY" -m tinygrad_edu.cli train "$r" --device cuda --epochs 2 \
    --quiet > "$WORK/recipe_$r.log" 2>&1
  rc=$?
  last=$(grep -E '^bar:|Error|error' "$WORK/recipe_$r.log" 2>/dev/null | tail -n 1)
  printf '%s\t%s\t%s\t%s\n' "$r" "$rc" "$((SECONDS - t0))" "${last:-(dry run)}" \
    >> "$WORK/recipes.tsv"
done

# ---- 5. benchmark --------------------------------------------------------------------------------
T=$(( $(left) < BENCH_S ? $(left) : BENCH_S ))
run timeout "$T" "$PY" benchmarks/gpu_bench.py --reps 5 --min-time 0.1 \
  --out "$WORK/bench.md" > "$WORK/bench.log" 2>&1
echo "bench rc=$? (log: $WORK/bench.log)"

# ---- report ----------------------------------------------------------------------------------------
run "$PY" benchmarks/gpu_report.py --gpu "$GPU_LINE" --parity-xml "$WORK/parity.xml" \
  --parity-log "$WORK/parity.log" --recipes "$WORK/recipes.tsv" --bench "$WORK/bench.md" \
  --seconds "$SECONDS" --out "$OUT"
echo "== gpu_check done in ${SECONDS}s: $OUT"
