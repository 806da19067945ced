#!/usr/bin/env bash
# Defaults that learn: each template exactly as `fuselab-cli new` writes it, trained with
# `fuselab-cli train` on the digits + speech + hint dataset (bench/make_digits_av.py), seeds
# 1-3; beside them the same networks in plain PyTorch (bench/reference_defaults.py) trained
# on the same cached tensors with FuseLab's recipe and with a generous one (30 epochs,
# batch 32, patience 8). Every result is a line of OUT/results.jsonl (appended, so an
# interrupted run continues where it stopped); bench/summarise_defaults.py makes the table.
#   bench/run_defaults_bench.sh [BUILD_DIR] [OUT_DIR] [SEEDS] [TEMPLATES]
# e.g. bench/run_defaults_bench.sh build /tmp/defaults "1 2 3" "audio-cnn concat"
# Wall times are whole `fuselab-cli train` commands (cache check, epochs, final evaluation).
set -euo pipefail
build=$(realpath "${1:-build}")
out=$(realpath -m "${2:-/tmp/fuselab-defaults}")
seeds=${3:-1 2 3}
templates=${4:-image-cnn audio-cnn text-gru concat late-fusion attention-fusion gated-fusion}
threads=${THREADS:-2}
here=$(realpath "$(dirname "$0")")
cli="$build/bin/fuselab-cli"
mkdir -p "$out"
[ -f "$out/data/manifest.csv" ] || /usr/bin/python3 "$here/make_digits_av.py" "$out/data"
export FUSELAB_CACHE_DIR="$out/cache"
results="$out/results.jsonl"
touch "$results"
done_already() { grep -q "\"key\": \"$1\"" "$results"; }

for t in $templates; do
  exp="$out/$t.fuselab.json"
  [ -f "$exp" ] || "$cli" new --template "$t" --dataset "$out/data/manifest.csv" --output "$exp" > "$out/$t.new.txt"
  for s in $seeds; do
    key="fuselab/$t/$s"
    done_already "$key" && continue
    run="$out/runs/$t-$s"
    rm -rf "$run"
    "$cli" train "$exp" --out "$run" --seed "$s" --threads "$threads" > "$out/runs-$t-$s.log" 2>&1
    /usr/bin/python3 - "$run" "$key" "$t" "$s" >> "$results" <<'EOF'
import json, sys
run, key, t, s = sys.argv[1:]
r = json.load(open(run + "/report.json"))
e = json.load(open(run + "/experiment.fuselab.json"))["training"]
print(json.dumps({"key": key, "side": "fuselab", "network": t, "seed": int(s), "test_accuracy": r["test"]["accuracy"],
                  "val_accuracy": r["val"]["accuracy"], "best_epoch": r["best_epoch"], "epochs_run": r["epochs_completed"],
                  "epochs": e["epochs"], "batch": e["batch_size"], "patience": e["early_stopping"]["patience"],
                  "seconds": round(r["seconds"], 1)}))
EOF
    tail -1 "$results"
  done
done

# References: the networks with a Python twin, on the cache of a FuseLab run of that template
# (NOREF=1 skips them).
for t in image-cnn audio-cnn concat; do
  [ -n "${NOREF:-}" ] && break
  case " $templates " in *" $t "*) ;; *) continue ;; esac
  exp="$out/$t.fuselab.json"
  read -r epochs batch patience utterance < <(/usr/bin/python3 -c "
import json, sys
e = json.load(open(sys.argv[1]))
u = any(n['type'] == 'input.audio' and n['params'].get('normalize') == 'utterance' for n in e['graph']['nodes'])
t = e['training']; print(t['epochs'], t['batch_size'], t['early_stopping']['patience'], '--utterance' if u else '')" "$exp")
  for s in $seeds; do
    for recipe in fuselab generous; do
      key="pytorch-$recipe/$t/$s"
      done_already "$key" && continue
      if [ "$recipe" = generous ]; then e=30 b=32 p=8; else e=$epochs b=$batch p=$patience; fi
      run=$(ls -d "$out"/runs/"$t"-* | head -1)
      /usr/bin/python3 "$here/reference_defaults.py" "$run" "$t" "$s" "$e" "$b" "$p" $utterance --threads "$threads" \
        | /usr/bin/python3 -c "import json,sys; d=json.loads(sys.stdin.read()); d.update(key='$key', side='pytorch-$recipe'); print(json.dumps(d))" >> "$results"
      tail -1 "$results"
    done
  done
done
/usr/bin/python3 "$here/summarise_defaults.py" "$results"
