#!/usr/bin/env bash
# Peak memory of a teacher-cache build's last step, assembling the finished file from its chunks
# (docs/teacher-cache.md "Building"), at full size without computing the logits: the build is
# started until it has written <out>.partial/header, stopped, its chunks are filled with
# pseudo-random floats of the right sizes, and the rerun (a resume with every chunk present) only
# assembles. Prints peak RSS and wall time, checks the file's size, and writes WORK/result.json.
# Usage: bash tests/bench/teacher_cache_assembly_memory.sh BUILD_DIR TEACHER CIFAR100_DIR WORK_DIR
set -euo pipefail
build=$1 teacher=$2 data=$3 work=$4
zkd_data=$build/apps/zkd-data
mkdir -p "$work"
out=$work/assembly.bin
rm -rf "$out" "$out.partial"
args=(teacher-logits --teacher "$teacher" --data "$data" --device cpu --threads 1 --out "$out")
"$zkd_data" "${args[@]}" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1200); do [ -f "$out.partial/header" ] && break; sleep 0.1; done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ -f "$out.partial/header" ] || { echo "no header in $out.partial" >&2; exit 1; }
# The chunks the build would have written: 256 images each of 162 views x classes float32.
read -r images classes < <(python3 - "$out.partial" <<'PY'
import os, random, re, sys
p = sys.argv[1]
h = open(p + "/header", "rb").read().decode("utf-8", "replace")
n, k = int(re.search(r'"images":(\d+)', h).group(1)), int(re.search(r'"classes":(\d+)', h).group(1))
per = 162 * k * 4
random.seed(1)
buf = random.randbytes(per * 256)
for first in range(0, n, 256):
    open(f"{p}/chunk-{first}.bin", "wb").write(buf[: min(256, n - first) * per])
print(n, k)
PY
)
sync
/usr/bin/time -f "%e %M" -o "$work/time.txt" "$zkd_data" "${args[@]}" >"$work/assembly.log" 2>&1
read -r wall rss_kb <"$work/time.txt"
table=$((images * 162 * classes * 4))
size=$(stat -c %s "$out")
[ "$size" -gt "$table" ] || { echo "expected more than $table bytes in $out, got $size" >&2; exit 1; }
rm -rf "$out" "$out.partial"
cat >"$work/result.json" <<JSON
{"what": "teacher-cache assembly (resume with every chunk present)", "images": $images,
 "classes": $classes, "table_mb": $((table / 1000000)), "peak_rss_mb": $((rss_kb / 1024)),
 "wall_s": $wall, "zkd_version": "$("$zkd_data" --version 2>&1 | head -1)"}
JSON
cat "$work/result.json"
