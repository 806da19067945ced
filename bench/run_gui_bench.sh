#!/usr/bin/env bash
# The GUI while it trains: bench_gui (the window with every live view, a 4 ms probe timer;
# then again without the probe) and fuselab-cli (no GUI) train the same experiment,
# interleaved, twice each; the probe's
# lateness and both sides' training samples/s (median over epochs) are printed.
#   bench/run_gui_bench.sh [BUILD_DIR] [DATASET_DIR] [EPOCHS]
# DATASET_DIR: the digits + speech dataset of bench/make_digits_av.py (made when missing).
set -euo pipefail
build=$(realpath "${1:-build}")
data=$(realpath -m "${2:-/tmp/fuselab-defaults/data}")
epochs=${3:-3}
here=$(realpath "$(dirname "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -f "$data/manifest.csv" ] || /usr/bin/python3 "$here/make_digits_av.py" "$data"
export FUSELAB_CACHE_DIR="$work/cache"
"$build/bin/fuselab-cli" new --template concat --dataset "$data/manifest.csv" --output "$work/concat.fuselab.json" > /dev/null
/usr/bin/python3 - "$work/concat.fuselab.json" "$epochs" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); e["training"]["epochs"] = int(sys.argv[2]); e["training"]["patience"] = 0
json.dump(e, open(sys.argv[1], "w"), indent=1)
PY
median_rate() { /usr/bin/python3 -c "
import csv, statistics, sys
r = [float(x['samples_per_second']) for x in csv.DictReader(open(sys.argv[1]))]
print(f'{statistics.median(r):.1f}')" "$1/metrics.csv"; }
echo "# $(date -u +%F) $(nproc) cores, concat on $(basename "$data"), $epochs epochs per run"
for i in 1 2; do
  QT_QPA_PLATFORM=offscreen "$build/bin/bench_gui" "$work/concat.fuselab.json" | sed "s/^/gui $i: /"
  QT_QPA_PLATFORM=offscreen "$build/bin/bench_gui" "$work/concat.fuselab.json" --no-probe | grep "GUI run" | sed "s/^/gui without probe $i: /"
  "$build/bin/fuselab-cli" train "$work/concat.fuselab.json" --out "$work/cli-$i" > /dev/null 2>&1
  echo "cli $i: training $(median_rate "$work/cli-$i") samples/s (median over epochs)"
done
