#!/usr/bin/env bash
# Epochs from raw photo files, decode-heavy: 1024x768 JPEGs (bench/make_photos.py) trained
# at 64x64 with the image-cnn template. FuseLab (fresh tensor cache, then training, with
# validation each epoch and a final val+test evaluation) beside a Python Dataset +
# DataLoader(num_workers=2) that decodes every file each epoch (no evaluation at all).
# Same files, network, batch, optimiser and threads.
#   bench/run_photo_epoch_bench.sh [BUILD_DIR] [N_PHOTOS] [THREADS]
# PHOTOS=DIR reuses photos made earlier by make_photos.py.
set -euo pipefail
build=${1:-build}
n=${2:-2000}
threads=${3:-$(nproc)}
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
photos=${PHOTOS:-$work/photos}
[ -d "$photos" ] || /usr/bin/python3 "$here/make_photos.py" "$n" "$photos"
echo "# $(date -u +%F) $(nproc) cores, $threads threads, $(find "$photos" -name '*.jpg' | wc -l) photos, $(du -sh "$photos" | cut -f1)"
"$build/bin/fuselab-cli" new --template image-cnn --dataset "$photos" -o "$work/exp.fuselab.json" >/dev/null
python3 - "$work/exp.fuselab.json" "$threads" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); j["training"]["threads"] = int(sys.argv[2])
json.dump(j, open(sys.argv[1], "w"))
PY
cat "$photos"/*/*.jpg > /dev/null # both sides read from the page cache
fuselab() { # epochs
  rm -rf "$work/cache" "$work/run"
  local start=$(date +%s.%N)
  "$build/bin/fuselab-cli" train "$work/exp.fuselab.json" --epochs "$1" --cache-dir "$work/cache" --out "$work/run" --quiet >/dev/null
  local total=$(echo "$(date +%s.%N) - $start" | bc)
  echo "fuselab total $total s, epochs (training + validation) $(tail -n +2 "$work/run/metrics.csv" | cut -d, -f8 | xargs printf '%.2f ') s (cache built from scratch; final val+test evaluation)"
}
python() { # epochs [--draft]: the whole process, interpreter start and imports included, as for FuseLab
  local start=$(date +%s.%N)
  local line=$(/usr/bin/python3 "$here/reference_photo_epoch.py" "$photos" "$threads" "$@")
  echo "python process $(echo "$(date +%s.%N) - $start" | bc) s; $line"
}
for i in 1 2; do
  fuselab 1
  python 1
  python 1 --draft
done
fuselab 3
python 3
