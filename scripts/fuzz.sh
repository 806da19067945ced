#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build (docs/reliability.md).
#   scripts/fuzz.sh smoke [SECONDS]      each fuzzer for SECONDS (default 20) from the stored corpus
#   scripts/fuzz.sh campaign [SECONDS]   each fuzzer until 1,000,000 executions or SECONDS (default 600)
#   scripts/fuzz.sh long [SECONDS] [PLATEAU]  each until 1,000,000 executions, or until its coverage
#                                        has not grown for PLATEAU seconds (default 600), or SECONDS
#                                        (default 3600); FUZZERS="text audio" picks which
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
  long) seconds=${2:-3600}; runs=1000000; plateau=${3:-600} ;;
  *) echo "usage: $0 smoke|campaign|long [SECONDS] [PLATEAU]" >&2; exit 2 ;;
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
  local start=$SECONDS
  "$bin" "$work" "$seeds" "${dict[@]}" -runs="$runs" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2560 -malloc_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$FUZZ_DIR/findings/$1-" > "$log" 2>&1 &
  local pid=$! why=""
  if [ "${plateau:-0}" -gt 0 ]; then
    # Coverage plateau: libFuzzer prints "cov: N" with every new input and every pulse; when N
    # has not grown for PLATEAU seconds, SIGINT stops it (it prints its final statistics).
    local best=-1 since=$SECONDS now
    while kill -0 "$pid" 2>/dev/null; do
      sleep 10
      now=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
      if [ -n "$now" ] && [ "$now" -gt "$best" ]; then best=$now; since=$SECONDS; fi
      if [ $(( SECONDS - since )) -ge "$plateau" ]; then why=" (coverage flat for ${plateau} s)"; kill -INT "$pid"; fi
    done
  fi
  wait "$pid"
  local rc=$?
  [ -n "$why" ] && [ $rc -eq 130 -o $rc -eq 72 -o $rc -eq 0 ] && rc=0
  local execs cov ft corpus
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  corpus=$(ls "$work" | wc -l)
  local outcome="ok, $(( SECONDS - start )) s$why"
  [ $rc -ne 0 ] && outcome="FINDING (exit $rc, see $log and $FUZZ_DIR/findings)"
  printf '%-12s executions %10s  coverage %6s  features %6s  corpus %5s  %s\n' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$outcome" >> "$report"
  return $rc
}
export -f run_one
plateau=${plateau:-0}
export FUZZ_DIR seconds runs report plateau
fuzzers=${FUZZERS:-$(ls "$FUZZ_DIR"/fuzz/fuzz_* 2>/dev/null | sed 's|.*/fuzz_||')}
[ -z "$fuzzers" ] && { echo "no fuzzers in $FUZZ_DIR/fuzz: make fuzz-build first" >&2; exit 2; }
printf '%s\n' $fuzzers | xargs -P "$jobs" -I{} bash -c 'run_one {}'
status=$?
sort -o "$report" "$report"
cat "$report"
exit $status
