#!/usr/bin/env bash
# The GUI while it trains: bench_gui (the window with every live view, a 4 ms probe timer;
# then without the probe, then with 1 trainer thread instead of all) and fuselab-cli (no GUI)
# train the same experiment, interleaved, ROUNDS times each; the probe's
# lateness and both sides' training samples/s (median over epochs) are printed.
#   bench/run_gui_bench.sh [BUILD_DIR] [DATASET_DIR] [EPOCHS] [ROUNDS]
# DATASET_DIR: the digits + speech dataset of bench/make_digits_av.py (made when missing).
set -euo pipefail
build=$(realpath "${1:-build}")
data=$(realpath -m "${2:-/tmp/fuselab-defaults/data}")
epochs=${3:-3}
rounds=${4:-3}
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
/usr/bin/python3 - "$work/concat.fuselab.json" "$work/concat-1thread.fuselab.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); e["training"]["threads"] = 1
json.dump(e, open(sys.argv[2], "w"), indent=1)
PY
echo "# $(date -u +%F) $(nproc) cores, concat on $(basename "$data"), $epochs epochs per run, ${rounds} interleaved rounds"
log="$work/log"
for i in $(seq "$rounds"); do
  QT_QPA_PLATFORM=offscreen "$build/bin/bench_gui" "$work/concat.fuselab.json" 2>/dev/null | sed "s/^/gui $i: /" | tee -a "$log"
  QT_QPA_PLATFORM=offscreen "$build/bin/bench_gui" "$work/concat.fuselab.json" --no-probe 2>/dev/null | grep "GUI run" | sed "s/^/gui-noprobe $i: /" | tee -a "$log"
  QT_QPA_PLATFORM=offscreen "$build/bin/bench_gui" "$work/concat-1thread.fuselab.json" --no-probe 2>/dev/null | grep "GUI run" | sed "s/^/gui-1thread $i: /" | tee -a "$log"
  "$build/bin/fuselab-cli" train "$work/concat.fuselab.json" --out "$work/cli-$i" > /dev/null 2>&1
  echo "cli $i: GUI run x: training $(median_rate "$work/cli-$i") samples/s (median over epochs)" | tee -a "$log"
done
# Medians and spread over the rounds, and each side against the CLI of its own round.
/usr/bin/python3 - "$log" <<'PY'
import re, statistics, sys
rate, late = {}, []
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) (\d+): .*training ([\d.]+) samples/s", line)
    if m:
        rate.setdefault(m[1], {})[int(m[2])] = float(m[3])
    m = re.search(r"p99 ([\d.]+) ms, max ([\d.]+) ms", line)
    if m:
        late.append((float(m[1]), float(m[2])))
cli = rate.get("cli", {})
for side, by in rate.items():
    v = list(by.values())
    line = f"{side:12s} samples/s median {statistics.median(v):6.1f} (range {min(v):.1f}-{max(v):.1f})"
    if side != "cli":
        ratio = [by[k] / cli[k] for k in by if k in cli]
        line += f"; against the same round's CLI: median {100 * (statistics.median(ratio) - 1):+.1f}% (range {100 * (min(ratio) - 1):+.1f}% to {100 * (max(ratio) - 1):+.1f}%)"
    print(line)
if late:
    print(f"probe: p99 worst {max(p for p, _ in late):.2f} ms, max worst {max(m for _, m in late):.1f} ms over {len(late)} runs")
PY
