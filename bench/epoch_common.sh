# Shared by the run_*epoch_bench.sh scripts (sourced); they set build, threads, here, work.

# new_experiment TEMPLATE DATASET: $work/exp.fuselab.json from the template, training with
# $threads threads, like the reference.
new_experiment() {
  "$build/bin/fuselab-cli" new --template "$1" --dataset "$2" -o "$work/exp.fuselab.json" >/dev/null
  python3 - "$work/exp.fuselab.json" "$threads" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); j["training"]["threads"] = int(sys.argv[2])
json.dump(j, open(sys.argv[1], "w"))
PY
}

# time_fuselab EPOCHS: fuselab-cli train from an empty cache folder, timed as a whole
# process (scan, decoding into the cache, training with validation, final val+test
# evaluation), with the per-epoch seconds from metrics.csv and the parameter count.
time_fuselab() {
  rm -rf "$work/cache" "$work/run"
  local start=$(date +%s.%N)
  "$build/bin/fuselab-cli" train "$work/exp.fuselab.json" --epochs "$1" --cache-dir "$work/cache" --out "$work/run" --quiet >/dev/null
  echo "fuselab total $(echo "$(date +%s.%N) - $start" | bc) s, epochs (training + validation)" \
       "$(tail -n +2 "$work/run/metrics.csv" | cut -d, -f8 | xargs printf '%.2f ')s," \
       "$(grep -o '"parameters":[0-9]*' "$work/run/events.jsonl" | head -1)"
}

# time_python SCRIPT ARGS...: a Python reference, timed as a whole process (interpreter
# start and imports included, as for FuseLab), followed by what it prints.
time_python() {
  local start=$(date +%s.%N)
  local line=$(/usr/bin/python3 "$@")
  echo "python process $(echo "$(date +%s.%N) - $start" | bc) s; $line"
}
