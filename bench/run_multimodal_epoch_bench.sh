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
source "$here/epoch_common.sh"
new_experiment concat "$work/data/manifest.csv"
cat "$work"/data/img/* "$work"/data/wav/* > /dev/null # both sides read from the page cache
ref="$here/reference_multimodal_epoch.py"
for i in 1 2; do
  time_fuselab 1
  time_python "$ref" "$work/data" "$threads" 1
done
time_fuselab 2
time_python "$ref" "$work/data" "$threads" 2
