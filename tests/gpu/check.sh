#!/usr/bin/env bash
# The GPU check: on a bare GPU machine (nvcc, CMake, PyTorch's python3; maybe no GoogleTest, no
# cuDNN under /usr/local/cuda, no OpenBLAS/zlib/stb headers) it finds or unpacks what the build
# needs, configures a Release build for sm_90 in build-gpu/, builds with every core, runs the
# `cuda` tests, the benchmark (zkd-bench, the quick preset, PyTorch's twin), then the `cpu` tests
# while the time budget lasts, and prints a one-screen summary
# LAST: card, driver, CUDA, cuDNN, tests passed/failed/skipped, the worst error per op.
#
# Usage: bash tests/gpu/check.sh [GTEST_SOURCE_DIR]
# Environment:
#   ZKD_GTEST_SOURCE  GoogleTest source folder (else the argument, else .gpu-deps/googletest)
#   ZKD_DEPS          folder made by tests/gpu/pack-deps.sh (default <repo>/.gpu-deps)
#   ZKD_CHECK_BUDGET  seconds for the whole check (default 450); the cpu tests get what is left
#   ZKD_CHECK_CPU     0 skips the cpu tests
#   ZKD_BUILD_DIR     build folder (default <repo>/build-gpu)
#   ZKD_FORCE_DEPS    1 uses .gpu-deps for OpenBLAS, zlib and stb even where the system has them
#   ZKD_CHECK_BENCH   0 skips the benchmark phase (zkd-bench, the quick preset, the PyTorch twin)
#   ZKD_QUICK_DATA    a CIFAR-100 folder (the first 10 classes suffice) for the quick preset
#   ZKD_TORCH_MODES   modes of tests/gpu/bench_pytorch.py (default tf32,bf16)
# Exit status: 0 when the build succeeded and no cuda test failed.
set -uo pipefail
t0=$(date +%s)
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${ZKD_BUILD_DIR:-$repo/build-gpu}
logs=$build/check-logs
deps=${ZKD_DEPS:-$repo/.gpu-deps}
budget=${ZKD_CHECK_BUDGET:-450}
mkdir -p "$logs"
note() { echo "[check] $*"; }
fail() {
  echo "[check] FAILED: $*"
  python3 "$repo/tests/gpu/summarize.py" --logs "$logs" --status "FAILED: $*"
  exit 1
}

# ---- CUDA compiler --------------------------------------------------------------------------
nvcc=$(command -v nvcc || true)
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
[ -n "$nvcc" ] || fail "no nvcc on PATH or in /usr/local/cuda/bin"
cuda_root=$(cd "$(dirname "$nvcc")/.." && pwd)
"$nvcc" --version >"$logs/nvcc.txt" 2>&1
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
    >"$logs/nvidia-smi.txt" 2>&1
else
  echo "no nvidia-smi" >"$logs/nvidia-smi.txt"
fi
note "nvcc $nvcc; GPU: $(head -1 "$logs/nvidia-smi.txt")"

# ---- cuDNN: the toolkit's, else the one inside PyTorch's nvidia-cudnn package -----------------
cudnn_args=()
runtime_path=""
if [ -f "$cuda_root/include/cudnn.h" ] &&
   ls "$cuda_root"/lib64/libcudnn.so* "$cuda_root"/lib/libcudnn.so* >/dev/null 2>&1; then
  cudnn_inc=$cuda_root/include
  note "cuDNN from the CUDA toolkit ($cuda_root)"
else
  pkg=$(python3 -c 'import nvidia.cudnn as m, os; print(os.path.dirname(m.__file__) if m.__file__ else list(m.__path__)[0])' 2>/dev/null || true)
  [ -n "$pkg" ] && [ -f "$pkg/include/cudnn.h" ] ||
    fail "cuDNN: neither $cuda_root/include/cudnn.h nor python3's nvidia.cudnn package"
  real_lib=$(ls -d "$pkg"/lib/libcudnn.so* 2>/dev/null | head -1)
  [ -n "$real_lib" ] || fail "cuDNN: no libcudnn.so* in $pkg/lib"
  # A root with include/ and lib/libcudnn.so (the package may ship libcudnn.so.9 only).
  root=$build/cudnn-root
  rm -rf "$root" && mkdir -p "$root/lib"
  ln -s "$pkg/include" "$root/include"
  ln -s "$real_lib" "$root/lib/libcudnn.so"
  cudnn_args=(-DZKD_CUDNN_ROOT="$root")
  cudnn_inc=$pkg/include
  runtime_path=$pkg/lib
  note "cuDNN from python3's nvidia.cudnn ($pkg)"
fi
grep -h "define CUDNN_MAJOR\|define CUDNN_MINOR\|define CUDNN_PATCHLEVEL" \
  "$cudnn_inc"/cudnn_version*.h 2>/dev/null | awk '{print $2 "=" $3}' >"$logs/cudnn-version.txt"

# ---- OpenBLAS, zlib, stb: the system's, else .gpu-deps (libraries unpacked into build-gpu) ----
dep_args=()
zlib_runtime=""
force=${ZKD_FORCE_DEPS:-0}
have_file() { [ "$force" = 1 ] && return 1; for f in "$@"; do [ -e "$f" ] && return 0; done; return 1; }
deps_lib=$build/deps/lib           # runtime libraries (LD_LIBRARY_PATH)
deps_link=$build/deps/link         # link-time only (libz.so: the system's libz.so.1 runs)
unpack() {  # unpack NAME [runtime|link]: $deps/lib/NAME.xz -> the folder
  local dir=$deps_lib
  [ "${2:-runtime}" = link ] && dir=$deps_link
  [ -f "$deps/lib/$1.xz" ] || fail "missing $deps/lib/$1.xz (run tests/gpu/pack-deps.sh and carry .gpu-deps)"
  mkdir -p "$dir"
  python3 -c 'import lzma, shutil, sys
with lzma.open(sys.argv[1]) as f, open(sys.argv[2], "wb") as g: shutil.copyfileobj(f, g)' \
    "$deps/lib/$1.xz" "$dir/$1" || fail "could not unpack $1"
}
ldcache() { /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; }
in_ldcache() { [ "$force" != 1 ] && ldcache | grep -q "$1 "; }
if ! have_file /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h /usr/include/openblas/cblas.h ||
   ! have_file /usr/lib/x86_64-linux-gnu/libopenblas.so /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so; then
  unpack libopenblas.so.0
  ln -sf libopenblas.so.0 "$deps_lib/libopenblas.so"
  for l in libgfortran.so.5 libquadmath.so.0; do in_ldcache "$l" || unpack "$l"; done
  # FindBLAS searches for "openblas" into this cache variable, then link-tests sgemm with it.
  dep_args+=(-DBLAS_openblas_LIBRARY="$deps_lib/libopenblas.so" -DCMAKE_LIBRARY_PATH="$deps_lib"
             -DZKD_CBLAS_INCLUDE="$deps/include")
  note "OpenBLAS from $deps"
fi
if ! have_file /usr/include/zlib.h || ! have_file /usr/lib/x86_64-linux-gnu/libz.so /usr/lib64/libz.so; then
  if have_file /usr/include/zlib.h; then zinc=/usr/include; else zinc=$deps/include; fi
  if in_ldcache libz.so.1; then
    mkdir -p "$deps_link"
    ln -sf "$(ldcache | awk '/libz.so.1 / {print $NF; exit}')" "$deps_link/libz.so"
  else
    unpack libz.so.1 link && ln -sf libz.so.1 "$deps_link/libz.so"
    [ "$force" = 1 ] || zlib_runtime=$deps_link  # none on the system: ours runs too
  fi
  dep_args+=(-DZLIB_INCLUDE_DIR="$zinc" -DZLIB_LIBRARY="$deps_link/libz.so")
  note "zlib: headers $zinc, library $(readlink -f "$deps_link/libz.so")"
fi
if ! have_file /usr/include/stb/stb_image.h /usr/include/stb_image.h /usr/local/include/stb/stb_image.h; then
  [ -f "$deps/include/stb/stb_image.h" ] || fail "no stb_image.h on the system or in $deps/include/stb"
  dep_args+=(-DZKD_STB_INCLUDE="$deps/include/stb")
  note "stb from $deps"
fi

# ---- GoogleTest: the system's (found by CMake), else a source folder ------------------------
gtest_src=${1:-${ZKD_GTEST_SOURCE:-}}
[ -z "$gtest_src" ] && [ ! -e /usr/src/googletest/CMakeLists.txt ] &&
  [ -f "$deps/googletest/CMakeLists.txt" ] && gtest_src=$deps/googletest
[ -n "$gtest_src" ] && dep_args+=(-DZKD_GTEST_SOURCE="$gtest_src") && note "GoogleTest source $gtest_src (when no package is found)"

export LD_LIBRARY_PATH="$deps_lib${zlib_runtime:+:$zlib_runtime}${runtime_path:+:$runtime_path}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# ---- configure and build ---------------------------------------------------------------------
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
[ -f "$build/CMakeCache.txt" ] && ! grep -q "CMAKE_GENERATOR:INTERNAL=${gen[1]:-Unix Makefiles}" "$build/CMakeCache.txt" &&
  rm -f "$build/CMakeCache.txt"
note "configuring ($(cmake --version | head -1))"
cmake -S "$repo" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$deps_lib" "${cudnn_args[@]}" "${dep_args[@]}" \
  >"$logs/configure.log" 2>&1 || { tail -30 "$logs/configure.log"; fail "configure (see $logs/configure.log)"; }
grep -q "zkd: CUDA backend ON" "$logs/configure.log" ||
  { grep -i "warning\|cudnn\|cublas" "$logs/configure.log" | head; fail "CMake did not enable the CUDA backend"; }
note "building with $(nproc) jobs"
t_build=$(date +%s)
cmake --build "$build" -j"$(nproc)" >"$logs/build.log" 2>&1 ||
  { grep -E "error|Error" "$logs/build.log" | head -30; fail "build (see $logs/build.log)"; }
echo "$(( $(date +%s) - t_build ))" >"$logs/build-seconds.txt"
note "built in $(cat "$logs/build-seconds.txt") s"

# ---- tests ------------------------------------------------------------------------------------
run_label() {  # run_label LABEL SECONDS
  local junit=()
  ctest --help 2>/dev/null | grep -q -- --output-junit && junit=(--output-junit "$logs/ctest-$1.xml")
  ZKD_CUDA_SYNC=1 timeout "$2" ctest --test-dir "$build" -L "^$1\$" -j 8 --timeout 300 -V \
    "${junit[@]}" >"$logs/ctest-$1.log" 2>&1
  local rc=$?
  [ $rc -eq 124 ] && echo "CUT at the time budget ($2 s)" >>"$logs/ctest-$1.log"
  return $rc
}
note "running the cuda tests"
t_cuda=$(date +%s)
cuda_cap=$(( budget - ($(date +%s) - t0) ))
[ "$cuda_cap" -gt 300 ] && cuda_cap=300
[ "$cuda_cap" -lt 60 ] && cuda_cap=60
run_label cuda "$cuda_cap"
cuda_rc=$?
echo "$(( $(date +%s) - t_cuda ))" >"$logs/cuda-seconds.txt"
grep -E "tests passed|\*\*\*Failed|Failed  |\(Failed\)" "$logs/ctest-cuda.log" | tail -15
# ---- benchmark and the quick preset on the GPU (ZKD_CHECK_BENCH=0 skips) -------------------------
left() { echo $(( budget - ($(date +%s) - t0) )); }
if [ "${ZKD_CHECK_BENCH:-1}" != 0 ]; then
  note "zkd-bench ($(left) s left)"
  timeout $(( $(left) > 150 ? 150 : $(left) )) "$build/apps/zkd-bench" --device cuda \
    >"$logs/bench-zkd.log" 2>&1 || echo "zkd-bench did not finish (status $?)" >>"$logs/bench-zkd.log"
  if [ -n "${ZKD_QUICK_DATA:-}" ] && [ "$(left)" -gt 40 ]; then
    note "quick preset on the GPU ($(left) s left)"
    timeout $(( $(left) > 120 ? 120 : $(left) )) "$build/apps/zkd-distill" --preset quick --device cuda \
      --data "$ZKD_QUICK_DATA" --out "$build/quick" --overwrite >"$logs/quick.log" 2>&1 ||
      echo "quick preset did not finish (status $?)" >>"$logs/quick.log"
  fi
  if [ "$(left)" -gt 60 ] && python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
    note "PyTorch twin of the benchmark ($(left) s left)"
    timeout $(( $(left) > 200 ? 200 : $(left) - 10 )) python3 "$repo/tests/gpu/bench_pytorch.py" \
      --modes "${ZKD_TORCH_MODES:-tf32,bf16}" >"$logs/bench-torch.log" 2>&1 ||
      echo "PyTorch benchmark did not finish (status $?)" >>"$logs/bench-torch.log"
  fi
fi

left=$(left)
if [ "${ZKD_CHECK_CPU:-1}" != 0 ] && [ "$left" -gt 45 ]; then
  note "running the cpu tests ($left s left)"
  run_label cpu "$left"
else
  note "cpu tests not run (${left} s left of the ${budget} s budget)"
fi

echo "$(( $(date +%s) - t0 ))" >"$logs/total-seconds.txt"
python3 "$repo/tests/gpu/summarize.py" --logs "$logs" \
  --status "$([ $cuda_rc -eq 0 ] && echo PASSED || echo FAILED)"
exit $cuda_rc
