#!/usr/bin/env bash
# The main job: builds zkd and runs the quick preset end to end on real CIFAR-100 (a teacher, then
# KD+LS distillation into a student, then evaluation), fetching the data set first when needed.
# Usage: bash apps/demo.sh [extra zkd-distill flags, e.g. --device cpu]
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target zkd-distill zkd-data
data="${ZKD_DATA:-./data}"
if [ ! -f "$data/cifar-100-binary/train.bin" ]; then
  local_copy=""
  for f in "${ZKD_CIFAR100_TARBALL:-}" ../shared/data/cifar-100-binary.tar.gz; do
    if [ -n "$f" ] && [ -f "$f" ]; then local_copy="$f"; break; fi
  done
  if [ -n "$local_copy" ]; then
    ./build/apps/zkd-data fetch --data "$data" --from "$local_copy"
  else
    ./build/apps/zkd-data fetch --data "$data"
  fi
fi
# --overwrite: a rerun of the demo replaces its own runs in runs/quick (other runs are never replaced
# without being asked).
./build/apps/zkd-distill --preset quick --data "$data" --overwrite "$@"
