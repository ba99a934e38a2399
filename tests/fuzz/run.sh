#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang-14, -fsanitize=fuzzer,address,undefined, own build dir
# build-fuzz) and runs each for SECONDS (default 60) on a copy of its seed corpus in
# tests/fuzz/corpus/NAME. Exits non-zero on any finding (crash, sanitizer report, leak, timeout,
# out-of-memory); the reproducer is left in build-fuzz/findings/. See docs/fuzzing.md.
# Usage: bash tests/fuzz/run.sh [SECONDS] [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(safetensors json cifar archive image grid settings runlog summary teacher_cache)
cc=${ZKD_FUZZ_CC:-clang-14} cxx=${ZKD_FUZZ_CXX:-clang++-14}
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DZKD_CUDA=OFF -DZKD_TESTS=OFF -DZKD_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${harnesses[@]/#/fuzz_}"
mkdir -p build-fuzz/findings
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Inputs up to 64 KiB; the JSON readers' up to 256 KiB, so that a mutation can nest far past the
# depth cap (kJsonMaxDepth = 64 needs 65 brackets; the crash of issue #25 was 100,000 deep).
declare -A max_len=([safetensors]=262144 [json]=262144)
status=0
for h in "${harnesses[@]}"; do
  work=build-fuzz/corpus/$h
  mkdir -p "$work"
  log=build-fuzz/fuzz_$h.log
  # -timeout: one input over 25 s is a hang (a loaded machine can stall a run for seconds); -rss_limit_mb / -malloc_limit_mb: over 2 GiB in all or 512 MiB in one allocation is a finding.
  if build-fuzz/tests/fuzz/fuzz_"$h" "$work" "tests/fuzz/corpus/$h" -max_total_time="$seconds" \
      -timeout=25 -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len="${max_len[$h]:-65536}" \
      -print_final_stats=1 \
      -artifact_prefix=build-fuzz/findings/"$h"- >"$log" 2>&1; then
    echo "fuzz_$h: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs, no finding"
  else
    echo "fuzz_$h: FINDING (see $log and build-fuzz/findings/)"
    tail -n 40 "$log"
    status=1
  fi
done
exit $status
