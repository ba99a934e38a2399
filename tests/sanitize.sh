#!/usr/bin/env bash
# The CPU test suite under AddressSanitizer + UndefinedBehaviorSanitizer: g++ at -O1, no CUDA,
# its own build dir (build-asan), every test binary of the labels given (default: cpu), any
# sanitizer report fails the test. The real-data checks (ZKD_CIFAR100) are left to the plain run:
# a pass over 60,000 real images under ASan costs minutes and reads no hostile input.
# Usage: bash tests/sanitize.sh [LABEL_REGEX]
set -euo pipefail
cd "$(dirname "$0")/.."
label=${1:-cpu}
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZKD_CUDA=OFF \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
if [ "$label" = cpu ]; then
  cmake --build build-asan -j"$(nproc)" --target zkd_cpu_tests zkd_data_tests zkd_nets_tests zkd_loss_tests
else
  cmake --build build-asan -j"$(nproc)"
fi
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
env -u ZKD_CIFAR100 ctest --test-dir build-asan --output-on-failure -L "$label" -j"$(nproc)" --timeout 900
