#!/usr/bin/env bash
# Builds zkd (Release; CUDA when the toolkit is found) and runs every test with ctest.
# CUDA tests skip, visibly, on a machine without a GPU. Usage: bash tests/run.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure "$@"
