#!/usr/bin/env bash
# One epoch from raw PNG files: FuseLab (decode once into a fresh tensor cache, then train
# one epoch, then evaluate) beside a Python Dataset + DataLoader(num_workers=2) that decodes
# the files during the epoch. Same files, network, batch, optimiser and threads.
#   bench/run_epoch_bench.sh [BUILD_DIR] [N_IMAGES] [THREADS]
set -euo pipefail
build=${1:-build}
n=${2:-10000}
threads=${3:-$(nproc)}
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$here/reference_epoch.py" --export "$n" "$work/png"
source "$here/epoch_common.sh"
new_experiment image-cnn "$work/png"
for i in 1 2; do
  time_fuselab 1
  time_python "$here/reference_epoch.py" "$work/png" "$threads"
done
