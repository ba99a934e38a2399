#!/usr/bin/env bash
# The GPU check, one prepared call (docs/gpu.md): on a bare GPU machine (nvcc, CMake, PyTorch's
# python3; maybe no GoogleTest, no cuDNN under /usr/local/cuda, none of the -dev packages) it
# finds or unpacks what the build needs, configures a Release build for sm_90 in build-gpu/,
# builds zkd-bench, zkd-distill, zkd-train and the cuda test binaries with every core, runs EVERY
# `cuda` test and the memory-per-epoch check (tests/gpu/memory_flat.py, docs/memory.md), then the
# benchmarks within the time budget, most important first: zkd-bench --json (TF32), PyTorch
# eager TF32, the sweep throughput for N = 1, 2, 4, 8 members, PyTorch bf16 + channels_last,
# zkd-bench --precision bf16 and --teacher-cache (when zkd-bench's --help has those
# flags), PyTorch with the whole step in a CUDA graph (TF32, bf16), the quick preset (with
# ZKD_QUICK_DATA), PyTorch torch.compile, and the cpu tests (ZKD_CHECK_CPU=1). A phase that fails
# or runs out of time is recorded, never fatal. Last, tests/gpu/summarize.py prints ONE summary
# and writes the results folder: <date>-<card>.json (for docs/bench/) and gpu-results-section.md
# (for docs/gpu-results.md).
#
# Usage: bash tests/gpu/check.sh [GTEST_SOURCE_DIR]
# Environment:
#   ZKD_COMMIT        the commit being checked (the machine gets no .git); else git rev-parse
#   ZKD_CHECK_RESULTS results folder (default <build>/check-results; the logs: <build>/check-logs)
#   ZKD_CHECK_BUDGET  seconds for the whole check (default 510)
#   ZKD_CHECK_DRYRUN  1: the CPU machine's rehearsal: no GPU needed; the existing build folder
#                     (default <repo>/build; configured only when it has no CMakeCache.txt), only
#                     the needed targets, every bench on the CPU with tiny nets and step counts
#   ZKD_CHECK_STOP    configure: stop after configuring (tests the dependency handling)
#   ZKD_CHECK_CPU     1 also builds everything and runs the cpu tests with the time left
#   ZKD_CHECK_BENCH   0 skips the benchmark phases
#   ZKD_GTEST_SOURCE  GoogleTest source folder (else the argument, else .gpu-deps/googletest)
#   ZKD_DEPS          folder made by tests/gpu/pack-deps.sh (default <repo>/.gpu-deps)
#   ZKD_BUILD_DIR     build folder (default <repo>/build-gpu; dry run: <repo>/build)
#   ZKD_FORCE_DEPS    1 uses .gpu-deps for every library and header it has (OpenBLAS, stb,
#                     oneDNN, libarchive, OpenSSL, nlohmann_json, CLI11) even where the system has them
#   ZKD_CMAKE_ARGS    more configure arguments (the rehearsal: a ccache launcher)
#   ZKD_QUICK_DATA    a CIFAR-100 folder (the first 10 classes suffice) for the quick preset
#   ZKD_TORCH_MODES   modes of tests/gpu/bench_pytorch.py (default tf32,bf16,tf32+graph,
#                     bf16+graph,tf32+compile), each its own process and time cap
# Exit status: 0 when the build succeeded and no cuda test failed.
set -uo pipefail
t0=$(date +%s)
repo=$(cd "$(dirname "$0")/../.." && pwd)
dryrun=${ZKD_CHECK_DRYRUN:-0}
if [ "$dryrun" = 1 ]; then build=${ZKD_BUILD_DIR:-$repo/build}; else build=${ZKD_BUILD_DIR:-$repo/build-gpu}; fi
logs=$build/check-logs
results=${ZKD_CHECK_RESULTS:-$build/check-results}
deps=${ZKD_DEPS:-$repo/.gpu-deps}
budget=${ZKD_CHECK_BUDGET:-510}
reserve=15  # seconds kept for the summary
py=python3
[ "$dryrun" = 1 ] && py=/usr/bin/python3  # the CPU machine: Debian's python3 has PyTorch
rm -rf "$logs" && mkdir -p "$logs" "$results"
note() { echo "[check] $*"; }
left() { echo $(( budget - ($(date +%s) - t0) )); }
summary() {
  echo "$(( $(date +%s) - t0 ))" >"$logs/total-seconds.txt"
  $py "$repo/tests/gpu/summarize.py" --logs "$logs" --results "$results" --status "$1"
}
fail() {
  echo "[check] FAILED: $*"
  summary "FAILED: $*"
  exit 1
}
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$logs/phases.tsv"; }

# phase NAME CAP LOG CMD...: runs CMD (output to LOG) for at most CAP seconds and what the budget
# leaves; records ok / failed (status) / TIMEOUT / skipped (no time left) in phases.tsv.
phase() {
  local name=$1 cap=$2 log=$3; shift 3
  local limit=$(( $(left) - reserve ))
  [ "$limit" -gt "$cap" ] && limit=$cap
  if [ "$limit" -lt 20 ]; then
    note "$name: skipped ($(left) s left)"
    record "$name" skipped 0 "no time left"
    return 0
  fi
  note "$name (at most $limit s; $(left) s left)"
  local t=$(date +%s)
  timeout "$limit" "$@" >"$log" 2>&1
  local rc=$? status=ok
  [ $rc -ne 0 ] && status="failed($rc)"
  [ $rc -eq 124 ] && status=TIMEOUT
  record "$name" "$status" "$(( $(date +%s) - t ))" "$([ $rc -eq 124 ] && echo "cut at $limit s")"
  [ $rc -ne 0 ] && tail -3 "$log" | sed 's/^/    /'
  return 0
}

# ---- versions and the commit -----------------------------------------------------------------
commit=${ZKD_COMMIT:-$(git -C "$repo" rev-parse --short=10 HEAD 2>/dev/null || echo unknown)}
[ -n "$(git -C "$repo" status --porcelain 2>/dev/null)" ] && [ -z "${ZKD_COMMIT:-}" ] && commit="$commit (uncommitted changes)"
echo "$commit" >"$logs/commit.txt"
cmake --version | head -1 >"$logs/cmake-version.txt"
$py -c 'import torch; print(torch.__version__, "(CUDA %s)" % torch.version.cuda)' >"$logs/torch-version.txt" 2>&1 ||
  echo "no torch for $py" >"$logs/torch-version.txt"

# ---- CUDA compiler --------------------------------------------------------------------------
nvcc=$(command -v nvcc || true)
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
[ -n "$nvcc" ] || fail "no nvcc on PATH or in /usr/local/cuda/bin"
cuda_root=$(cd "$(dirname "$nvcc")/.." && pwd)
"$nvcc" --version >"$logs/nvcc.txt" 2>&1
if command -v nvidia-smi >/dev/null && nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
    >"$logs/nvidia-smi.txt" 2>&1
else
  echo "no GPU (nvidia-smi: not available)" >"$logs/nvidia-smi.txt"
  [ "$dryrun" = 1 ] || note "WARNING: no GPU visible; the cuda tests will skip (ZKD_CHECK_DRYRUN=1 for a rehearsal)"
fi
note "nvcc $nvcc; GPU: $(head -1 "$logs/nvidia-smi.txt"); commit $commit"

# ---- cuDNN: the toolkit's, else the one inside PyTorch's nvidia-cudnn package -----------------
cudnn_args=()
runtime_path=""
if [ -f "$cuda_root/include/cudnn.h" ] &&
   ls "$cuda_root"/lib64/libcudnn.so* "$cuda_root"/lib/libcudnn.so* >/dev/null 2>&1; then
  cudnn_inc=$cuda_root/include
  note "cuDNN from the CUDA toolkit ($cuda_root)"
elif [ -f /usr/include/cudnn.h ] || ls /usr/include/*/cudnn.h >/dev/null 2>&1; then
  cudnn_inc=$(dirname "$(ls /usr/include/cudnn.h /usr/include/*/cudnn.h 2>/dev/null | head -1)")
  note "cuDNN from the system ($cudnn_inc)"
else
  pkg=$($py -c 'import nvidia.cudnn as m, os; print(os.path.dirname(m.__file__) if m.__file__ else list(m.__path__)[0])' 2>/dev/null || true)
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

# ---- libraries and headers: the system's, else .gpu-deps (libraries unpacked into the build) --
dep_args=()
force=${ZKD_FORCE_DEPS:-0}
have_file() { [ "$force" = 1 ] && return 1; for f in "$@"; do [ -e "$f" ] && return 0; done; return 1; }
deps_lib=$build/deps/lib           # runtime libraries (LD_LIBRARY_PATH)
deps_link=$build/deps/link         # link-time only (libcrypto.so: the system's libcrypto.so.3 runs)
unpack() {  # unpack NAME [runtime|link]: $deps/lib/NAME.xz -> the folder
  local dir=$deps_lib
  [ "${2:-runtime}" = link ] && dir=$deps_link
  [ -f "$deps/lib/$1.xz" ] || fail "missing $deps/lib/$1.xz (run tests/gpu/pack-deps.sh and carry .gpu-deps)"
  mkdir -p "$dir"
  $py -c 'import lzma, shutil, sys
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
if ! have_file /usr/include/stb/stb_image.h /usr/include/stb_image.h /usr/local/include/stb/stb_image.h; then
  [ -f "$deps/include/stb/stb_image.h" ] || fail "no stb_image.h on the system or in $deps/include/stb"
  dep_args+=(-DZKD_STB_INCLUDE="$deps/include/stb")
  note "stb from $deps"
fi

# oneDNN, libarchive (and what it needs beyond glibc), OpenSSL's libcrypto: the same rule.
if ! have_file /usr/include/dnnl.hpp /usr/local/include/dnnl.hpp ||
   ! have_file /usr/lib/x86_64-linux-gnu/libdnnl.so /usr/local/lib/libdnnl.so; then
  unpack libdnnl.so.2
  ln -sf libdnnl.so.2 "$deps_lib/libdnnl.so"
  in_ldcache libOpenCL.so.1 || unpack libOpenCL.so.1
  dep_args+=(-DZKD_DNNL_INCLUDE="$deps/include/dnnl-root" -DZKD_DNNL_LIBRARY="$deps_lib/libdnnl.so")
  note "oneDNN from $deps"
fi
if ! have_file /usr/include/archive.h || ! have_file /usr/lib/x86_64-linux-gnu/libarchive.so /usr/lib64/libarchive.so; then
  unpack libarchive.so.13
  ln -sf libarchive.so.13 "$deps_lib/libarchive.so"
  for l in libz.so.1 libnettle.so.8 libacl.so.1 liblzma.so.5 libzstd.so.1 liblz4.so.1 libbz2.so.1.0 \
           libxml2.so.2 libicuuc.so.72 libicudata.so.72; do
    in_ldcache "$l" || unpack "$l"
  done
  dep_args+=(-DLibArchive_INCLUDE_DIR="$deps/include" -DLibArchive_LIBRARY="$deps_lib/libarchive.so")
  note "libarchive from $deps"
fi
if ! have_file /usr/include/openssl/crypto.h ||
   ! have_file /usr/lib/x86_64-linux-gnu/libcrypto.so /usr/lib64/libcrypto.so; then
  if in_ldcache libcrypto.so.3; then  # the system's runs; link against it
    mkdir -p "$deps_link"
    ln -sf "$(ldcache | awk '/libcrypto.so.3 / {print $NF; exit}')" "$deps_link/libcrypto.so"
    crypto=$deps_link/libcrypto.so
  else
    unpack libcrypto.so.3 && ln -sf libcrypto.so.3 "$deps_lib/libcrypto.so"
    crypto=$deps_lib/libcrypto.so
  fi
  dep_args+=(-DOPENSSL_INCLUDE_DIR="$deps/include" -DOPENSSL_CRYPTO_LIBRARY="$crypto")
  note "OpenSSL: headers $deps/include, library $(readlink -f "$crypto")"
fi
# Header-only, with CMake package configs (their prefix is $deps).
if ! have_file /usr/include/nlohmann/json.hpp /usr/local/include/nlohmann/json.hpp; then
  dep_args+=(-Dnlohmann_json_DIR="$deps/share/cmake/nlohmann_json")
  note "nlohmann_json from $deps"
fi
if ! have_file /usr/include/CLI/CLI.hpp /usr/local/include/CLI/CLI.hpp; then
  dep_args+=(-DCLI11_DIR="$deps/share/cmake/CLI11")
  note "CLI11 from $deps"
fi
[ ${#dep_args[@]} -gt 0 ] && [ ! -f "$deps/share/cmake/CLI11/CLI11Config.cmake" ] &&
  note "WARNING: $deps predates the oneDNN / libarchive / OpenSSL / JSON / CLI11 entries: rerun tests/gpu/pack-deps.sh"

# ---- GoogleTest: the system's (found by CMake), else a source folder ------------------------
gtest_src=${1:-${ZKD_GTEST_SOURCE:-}}
[ -z "$gtest_src" ] && [ ! -e /usr/src/googletest/CMakeLists.txt ] &&
  [ -f "$deps/googletest/CMakeLists.txt" ] && gtest_src=$deps/googletest
[ -n "$gtest_src" ] && dep_args+=(-DZKD_GTEST_SOURCE="$gtest_src") && note "GoogleTest source $gtest_src (when no package is found)"

export LD_LIBRARY_PATH="$deps_lib${runtime_path:+:$runtime_path}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# ---- configure and build ---------------------------------------------------------------------
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
if [ "$dryrun" = 1 ] && [ -f "$build/CMakeCache.txt" ]; then
  note "dry run: keeping the configured $build"
  record configure kept 0 "dry run"
else
  [ -f "$build/CMakeCache.txt" ] && ! grep -q "CMAKE_GENERATOR:INTERNAL=${gen[1]:-Unix Makefiles}" "$build/CMakeCache.txt" &&
    rm -f "$build/CMakeCache.txt"
  note "configuring ($(cmake --version | head -1))"
  t=$(date +%s)
  cmake -S "$repo" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
    -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$deps_lib" "${cudnn_args[@]}" "${dep_args[@]}" ${ZKD_CMAKE_ARGS:-} \
    >"$logs/configure.log" 2>&1 || { tail -30 "$logs/configure.log"; fail "configure (see $logs/configure.log)"; }
  record configure ok "$(( $(date +%s) - t ))"
fi
# (a kept dry-run build: the cuda test binary is registered with ctest)
grep -q "zkd: CUDA backend ON" "$logs/configure.log" 2>/dev/null || grep -q zkd_cuda_tests "$build/tests/CTestTestfile.cmake" ||
  { grep -i "warning\|cudnn\|cublas" "$logs/configure.log" 2>/dev/null | head; fail "CMake did not enable the CUDA backend"; }
[ "${ZKD_CHECK_STOP:-}" = configure ] && { summary "STOPPED after configure (ZKD_CHECK_STOP)"; exit 0; }
cuda_targets=$($py "$repo/tests/gpu/cuda_tests.py" --targets) || fail "tests/gpu/cuda_tests.py --targets"
targets=(zkd-bench zkd-distill zkd-train $cuda_targets)
[ "${ZKD_CHECK_CPU:-0}" = 1 ] && targets=(all)
jobs=$(nproc)
note "building ${targets[*]} with $jobs jobs"
t_build=$(date +%s)
cmake --build "$build" -j"$jobs" --target "${targets[@]}" >"$logs/build.log" 2>&1 ||
  { grep -E "error|Error" "$logs/build.log" | head -30; record build failed "$(( $(date +%s) - t_build ))"; fail "build (see $logs/build.log)"; }
echo "$(( $(date +%s) - t_build ))" >"$logs/build-seconds.txt"
record build ok "$(cat "$logs/build-seconds.txt")"
note "built in $(cat "$logs/build-seconds.txt") s"

# ---- every cuda test --------------------------------------------------------------------------
# ctest of one label, verbose (every [zkd-error] line), JUnit where this ctest writes it.
junit() { ctest --help 2>/dev/null | grep -q -- --output-junit && echo "--output-junit $logs/ctest-$1.xml"; }
t_cuda=$(date +%s)
phase "cuda tests" 200 "$logs/ctest-cuda.log" env ZKD_CUDA_SYNC=1 ctest --test-dir "$build" -L '^cuda$' \
  -j 8 --timeout 120 -V $(junit cuda)
cuda_status=$(awk -F'\t' '$1 == "cuda tests" {print $2}' "$logs/phases.tsv")
cuda_rc=1
[ "$cuda_status" = ok ] && cuda_rc=0
[ "$cuda_status" = TIMEOUT ] && echo "CUT at the time budget" >>"$logs/ctest-cuda.log"
echo "$(( $(date +%s) - t_cuda ))" >"$logs/cuda-seconds.txt"
grep -E "tests passed|\*\*\*Failed|Failed  |\(Failed\)" "$logs/ctest-cuda.log" | tail -15

# ---- memory flat over epochs (docs/memory.md): device and host memory per epoch of log.jsonl ----
mem_args=(--device cuda --epochs 16)
[ "$dryrun" = 1 ] && mem_args=(--device cpu --epochs 5)  # the rehearsal: the CPU is slow and shared
phase "memory flat" 120 "$logs/memory-flat.log" $py "$repo/tests/gpu/memory_flat.py" \
  --train "$build/apps/zkd-train" --work "$build/memory-flat" "${mem_args[@]}"
grep "memory flat:" "$logs/memory-flat.log" 2>/dev/null | sed 's/; by epoch.*//' | sed 's/^/    /'

# ---- benchmarks, most important first ----------------------------------------------------------
bench=("$build/apps/zkd-bench")
torch_modes=${ZKD_TORCH_MODES:-tf32,bf16,tf32+graph,bf16+graph,tf32+compile}
if [ "$dryrun" = 1 ]; then  # the CPU rehearsal: tiny nets, a few steps
  zargs=(--device cpu --train resnet20 --kd resnet8x4:resnet20 --infer resnet20 --batch-size 8 --warmup 1 --steps 2 --repeats 2)
  sargs=(--device cpu --sweep-pair resnet8x4:resnet20 --sweep 1,2 --batch-size 4 --warmup 0 --steps 1 --repeats 2)
  targs=(--device cpu --train resnet20 --kd resnet8x4:resnet20 --infer resnet20 --batch 8 --infer-batch 8 --warmup 1 --steps 2 --repeats 2)
  cargs=(--device cpu --train '' --infer '' --kd resnet8x4:resnet20 --batch-size 8 --warmup 1 --steps 2 --repeats 2)
else
  zargs=(--device cuda)  # the default cases, batch 64, warm-up 30, 200 steps x 3
  sargs=(--device cuda --sweep 1,2,4,8 --warmup 30 --steps 50 --repeats 3)
  targs=(--device cuda)
  cargs=(--device cuda --train '' --infer '')  # the default --kd pairs, with and without the cache
fi
help=$("${bench[@]}" --help 2>&1)
torch_mode() {  # torch_mode MODE CAP [ARGS...]
  local mode=$1 cap=$2; shift 2
  phase "torch $mode" "$cap" "$logs/bench-torch-$mode.log" $py "$repo/tests/gpu/bench_pytorch.py" "${targs[@]}" \
    --modes "$mode" --json "$logs/bench-torch-$mode.json" "$@"
}
has_mode() { [[ ",$torch_modes," == *",$1,"* ]]; }
if [ "${ZKD_CHECK_BENCH:-1}" != 0 ]; then
  phase "zkd-bench" 100 "$logs/bench-zkd.log" "${bench[@]}" "${zargs[@]}" --json "$logs/bench-zkd.json"
  has_mode tf32 && torch_mode tf32 75
  phase "zkd sweep" 60 "$logs/bench-zkd-sweep.log" "${bench[@]}" "${sargs[@]}" --train '' --kd '' --infer '' \
    --json "$logs/bench-zkd-sweep.json"
  has_mode bf16 && torch_mode bf16 80
  if grep -q -- "--precision" <<<"$help"; then
    phase "zkd-bench bf16" 100 "$logs/bench-zkd-bf16.log" "${bench[@]}" "${zargs[@]}" --precision bf16 \
      --json "$logs/bench-zkd-bf16.json"
  else
    record "zkd-bench bf16" "not built" 0 "zkd-bench has no --precision"
  fi
  if grep -q -- "--teacher-cache" <<<"$help"; then
    phase "zkd-bench teacher cache" 60 "$logs/bench-zkd-tcache.log" "${bench[@]}" "${cargs[@]}" \
      --teacher-cache --json "$logs/bench-zkd-tcache.json"
  else
    record "zkd-bench teacher cache" "not built" 0 "zkd-bench has no --teacher-cache"
  fi
  for m in ${torch_modes//,/ }; do
    case $m in tf32|bf16|*compile*) ;; *) torch_mode "$m" 60 ;; esac
  done
  if [ -n "${ZKD_QUICK_DATA:-}" ]; then
    phase "quick preset" 120 "$logs/quick.log" "$build/apps/zkd-distill" --preset quick --device cuda \
      --data "$ZKD_QUICK_DATA" --out "$build/quick" --overwrite
  fi
  for m in ${torch_modes//,/ }; do
    case $m in *compile*) torch_mode "$m" 150 --infer '' ;; esac  # compiling costs: the targets' cases
  done
fi

if [ "${ZKD_CHECK_CPU:-0}" = 1 ]; then
  phase "cpu tests" 600 "$logs/ctest-cpu.log" ctest --test-dir "$build" -L '^cpu$' -j 8 --timeout 120 -V $(junit cpu)
fi

summary "$([ "$cuda_rc" = 0 ] && echo PASSED || echo FAILED)$([ "$dryrun" = 1 ] && echo ' (DRY RUN on the CPU)')"
exit "$cuda_rc"
