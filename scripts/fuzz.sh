#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build (docs/reliability.md).
#   scripts/fuzz.sh smoke [SECONDS]      each fuzzer for SECONDS (default 20) from the stored corpus
#   scripts/fuzz.sh campaign [SECONDS]   each fuzzer until 1,000,000 executions or SECONDS (default 600)
# FUZZ_DIR (default build-fuzz) holds the fuzzers; new corpus entries go to FUZZ_DIR/corpus,
# crashes, leaks and timeouts to FUZZ_DIR/findings (and the script fails). One line per fuzzer
# in FUZZ_DIR/fuzz-report.txt: executions, coverage, corpus size, outcome.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-smoke}
FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
case "$mode" in
  smoke) seconds=${2:-20}; runs=-1 ;;
  campaign) seconds=${2:-600}; runs=1000000 ;;
  *) echo "usage: $0 smoke|campaign [SECONDS]" >&2; exit 2 ;;
esac
jobs=${FUZZ_JOBS:-$(nproc)}
mkdir -p "$FUZZ_DIR/corpus" "$FUZZ_DIR/findings" "$FUZZ_DIR/logs"
report="$FUZZ_DIR/fuzz-report.txt"
: > "$report"
# ASan/UBSan options: report leaks, stop at the first error; allocations are capped so that
# unbounded allocation is a finding (malloc_limit_mb), as are inputs slower than 10 s.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export OMP_NUM_THREADS=1
run_one() {
  local name=$1 bin="$FUZZ_DIR/fuzz/fuzz_$1"
  local seeds="tests/fuzz/corpus/$1" work="$FUZZ_DIR/corpus/$1" log="$FUZZ_DIR/logs/$1.log"
  mkdir -p "$work"
  local dict=()
  [ -f "tests/fuzz/$1.dict" ] && dict=(-dict="tests/fuzz/$1.dict")
  "$bin" "$work" "$seeds" "${dict[@]}" -runs="$runs" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2560 -malloc_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$FUZZ_DIR/findings/$1-" > "$log" 2>&1
  local rc=$?
  local execs cov ft corpus
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  corpus=$(ls "$work" | wc -l)
  local outcome=ok
  [ $rc -ne 0 ] && outcome="FINDING (exit $rc, see $log and $FUZZ_DIR/findings)"
  printf '%-12s executions %10s  coverage %6s  features %6s  corpus %5s  %s\n' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$outcome" >> "$report"
  return $rc
}
export -f run_one
export FUZZ_DIR seconds runs report
fuzzers=$(ls "$FUZZ_DIR"/fuzz/fuzz_* 2>/dev/null | sed 's|.*/fuzz_||')
[ -z "$fuzzers" ] && { echo "no fuzzers in $FUZZ_DIR/fuzz: make fuzz-build first" >&2; exit 2; }
printf '%s\n' $fuzzers | xargs -P "$jobs" -I{} bash -c 'run_one {}'
status=$?
sort -o "$report" "$report"
cat "$report"
exit $status
