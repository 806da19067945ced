#!/usr/bin/env bash
# Epochs from raw image + audio + text files with the concat template: FuseLab (fresh
# tensor cache, training, validation each epoch, final val+test evaluation) beside a Python
# Dataset + DataLoader(num_workers=2) that decodes every photo, WAV and caption each epoch.
# Both timed as whole processes. Same files, network, batch, optimiser and threads.
#   bench/run_multimodal_epoch_bench.sh [BUILD_DIR] [N_SAMPLES] [THREADS]
# PHOTOS=DIR reuses photos made earlier by make_photos.py.
set -euo pipefail
build=${1:-build}
n=${2:-1000}
threads=${3:-$(nproc)}
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
photos=${PHOTOS:-$work/photos}
[ -d "$photos" ] || /usr/bin/python3 "$here/make_photos.py" "$n" "$photos"
# Photos 0 .. n-1 (make_photos.py numbers them across classes), then audio and captions.
mkdir -p "$work/subset"
find "$photos" -name '*.jpg' | awk -F/ -v n="$n" '{ split($NF, a, "."); if (a[1] + 0 < n) print }' | while read -r f; do
  mkdir -p "$work/subset/$(basename "$(dirname "$f")")"; ln "$f" "$work/subset/$(basename "$(dirname "$f")")/" 2>/dev/null || cp "$f" "$work/subset/$(basename "$(dirname "$f")")/"
done
/usr/bin/python3 "$here/make_multimodal.py" "$work/subset" "$work/data"
echo "# $(date -u +%F) $(nproc) cores, $threads threads, $(($(wc -l < "$work/data/manifest.csv") - 1)) samples, $(du -shL "$work/data" | cut -f1)"
"$build/bin/fuselab-cli" new --template concat --dataset "$work/data/manifest.csv" -o "$work/exp.fuselab.json" >/dev/null
python3 - "$work/exp.fuselab.json" "$threads" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); j["training"]["threads"] = int(sys.argv[2])
json.dump(j, open(sys.argv[1], "w"))
PY
cat "$work"/data/img/* "$work"/data/wav/* > /dev/null # both sides read from the page cache
fuselab() { # epochs
  rm -rf "$work/cache" "$work/run"
  local start=$(date +%s.%N)
  "$build/bin/fuselab-cli" train "$work/exp.fuselab.json" --epochs "$1" --cache-dir "$work/cache" --out "$work/run" --quiet >/dev/null
  echo "fuselab total $(echo "$(date +%s.%N) - $start" | bc) s, epochs (training + validation) $(tail -n +2 "$work/run/metrics.csv" | cut -d, -f8 | xargs printf '%.2f ') s, $(grep -o '"parameters":[0-9]*' "$work/run/events.jsonl" | head -1)"
}
python() { # epochs
  local start=$(date +%s.%N)
  local line=$(/usr/bin/python3 "$here/reference_multimodal_epoch.py" "$work/data" "$threads" "$@")
  echo "python process $(echo "$(date +%s.%N) - $start" | bc) s; $line"
}
for i in 1 2; do
  fuselab 1
  python 1
done
fuselab 2
python 2
