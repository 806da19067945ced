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
source "$here/epoch_common.sh"
new_experiment image-cnn "$photos"
cat "$photos"/*/*.jpg > /dev/null # both sides read from the page cache
ref="$here/reference_photo_epoch.py"
for i in 1 2; do
  time_fuselab 1
  time_python "$ref" "$photos" "$threads" 1
  time_python "$ref" "$photos" "$threads" 1 --draft
done
time_fuselab 3
time_python "$ref" "$photos" "$threads" 3
