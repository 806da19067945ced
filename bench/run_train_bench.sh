#!/usr/bin/env bash
# Training benchmarks: compute throughput beside Python PyTorch (same run), and the
# Fashion-MNIST quality run (about 10 minutes on 2 cores).
#   bench/run_train_bench.sh [BUILD_DIR] [THREADS] [--quality]
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
here=$(dirname "$0")
echo "# $(date -u +%F) $(nproc) cores, $threads threads"
for i in 1 2 3; do
  "$build/bin/bench_train" "$here/fashion-image-cnn.fuselab.json" 60 "$threads"
  /usr/bin/python3 "$here/reference_train.py" 60 "$threads" 64
done
for i in 1 2 3; do # 64x64 RGB: FuseLab stores convolutions channels-last on the CPU; Python both ways
  "$build/bin/bench_train" "$here/photo-image-cnn.fuselab.json" 20 "$threads" | tail -1
  /usr/bin/python3 "$here/reference_train.py" 20 "$threads" 64 --photo
  /usr/bin/python3 "$here/reference_train.py" 20 "$threads" 64 --photo --channels-last
done
for i in 1 2; do
  "$build/bin/bench_train" "$here/demo-concat.fuselab.json" 30 "$threads" | tail -1
  /usr/bin/python3 "$here/reference_concat.py" 30 "$threads" 64
done
if [ "${3:-}" = "--quality" ]; then
  out=$(mktemp -d)
  /usr/bin/time -v "$build/bin/fuselab-cli" train "$here/fashion-image-cnn.fuselab.json" --out "$out/run" 2>&1 \
    | tr '\r' '\n' | grep -E '^epoch .*val acc|^test|Elapsed|Maximum resident'
  rm -rf "$out"
fi
