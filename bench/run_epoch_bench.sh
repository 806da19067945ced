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
"$build/bin/fuselab-cli" new --template image-cnn --dataset "$work/png" -o "$work/exp.fuselab.json" >/dev/null
python3 - "$work/exp.fuselab.json" "$threads" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); j["training"]["threads"] = int(sys.argv[2])
json.dump(j, open(sys.argv[1], "w"))
PY
for i in 1 2; do
  rm -rf "$work/cache" "$work/run"
  start=$(date +%s.%N)
  "$build/bin/fuselab-cli" train "$work/exp.fuselab.json" --epochs 1 --cache-dir "$work/cache" --out "$work/run" --quiet >/dev/null
  echo "fuselab_epoch_from_files $(echo "$(date +%s.%N) - $start" | bc) s (cache built from scratch, 1 epoch, val+test evaluation)"
  /usr/bin/python3 "$here/reference_epoch.py" "$work/png" "$threads"
done
