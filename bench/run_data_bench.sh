#!/usr/bin/env bash
# Runs the data-layer benchmarks with their references, same machine, same run.
#   bench/run_data_bench.sh [BUILD_DIR] [THREADS]
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# $(date -u +%F) $(nproc) cores, $threads threads, $(uname -m)"
"$build/bin/bench_data" fashion "$threads"
/usr/bin/python3 "$(dirname "$0")/reference_idx.py"
"$build/bin/bench_data" images "$work/img" 1000 "$threads"
"$build/bin/bench_data" audio "$work/wav" 100 "$threads"
/usr/bin/python3 "$(dirname "$0")/reference_audio.py" "$work/wav" 100 "$threads"
