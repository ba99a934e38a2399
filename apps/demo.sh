#!/usr/bin/env bash
# The main job: builds every zkd binary and runs the quick preset end to end on real CIFAR-100 (a
# teacher, then a KD+LS and a plain-CE student, then evaluation), fetching the data set first when
# needed, and says how long each part took.
# Usage: bash apps/demo.sh [extra zkd-distill flags, e.g. --device cpu]
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
bash .ci/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target zkd_apps
built=$SECONDS
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
ready=$SECONDS
./build/apps/zkd-distill --preset quick --data "$data" --overwrite "$@"
took() { printf '%dm%02ds' $(( $1 / 60 )) $(( $1 % 60 )); }
echo "demo: done in $(took $((SECONDS - start))) (set-up and build $(took $((built - start))), data" \
     "$(took $((ready - built))), training and evaluation $(took $((SECONDS - ready)))); every binary is" \
     "in ./build/apps: zkd-train, zkd-distill, zkd-eval, zkd-predict, zkd-sweep, zkd-bench, zkd-data, zkd-summary"
