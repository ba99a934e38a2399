#!/usr/bin/env bash
# Fills .gpu-deps/ (ignored by git) on THIS (Debian 12) machine with what a bare GPU machine may
# lack to build and test zkd, for tests/gpu/check.sh to use there (carry the folder along):
#   googletest/          GoogleTest source (/usr/src/googletest), built by the project if needed
#   include/             cblas.h + openblas_config.h (OpenBLAS), zlib.h + zconf.h, stb/*.h
#   lib/*.xz             libopenblas.so.0, libgfortran.so.5, libquadmath.so.0, libz.so.1,
#                        xz-compressed (OpenBLAS alone is 36 MB raw, 4 MB compressed)
#   MANIFEST             where each file came from
# Usage: bash tests/gpu/pack-deps.sh [OUT_DIR]     (default: <repo>/.gpu-deps)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/.gpu-deps}
multiarch=/usr/lib/x86_64-linux-gnu

need() { [ -e "$1" ] || { echo "pack-deps: missing $1 ($2)" >&2; exit 1; }; }
need /usr/src/googletest/CMakeLists.txt "apt install googletest"
need "$multiarch/openblas-pthread/libopenblas.so.0" "apt install libopenblas-dev"
need /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h "apt install libopenblas-dev"
need /usr/include/stb/stb_image.h "apt install libstb-dev"
need /usr/include/zlib.h "apt install zlib1g-dev"

rm -rf "$out"
mkdir -p "$out/include/stb" "$out/lib"
cp -r /usr/src/googletest "$out/googletest"
cp /usr/include/x86_64-linux-gnu/openblas-pthread/{cblas.h,openblas_config.h} "$out/include/"
cp /usr/include/zlib.h /usr/include/zconf.h "$out/include/"
cp /usr/include/stb/*.h "$out/include/stb/"

# Each shared library under its SONAME, compressed (python3's lzma: no xz binary needed).
{
  echo "zkd GPU-check dependencies, packed $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n)"
  echo "googletest: /usr/src/googletest ($(dpkg-query -W -f='${Version}' googletest 2>/dev/null || echo '?'))"
  echo "openblas: $(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo '?')"
  echo "stb: $(dpkg-query -W -f='${Version}' libstb-dev 2>/dev/null || echo '?')"
} >"$out/MANIFEST"
for lib in openblas-pthread/libopenblas.so.0 libgfortran.so.5 libquadmath.so.0 libz.so.1; do
  src=$(readlink -f "$multiarch/$lib")
  name=$(basename "$lib")
  python3 - "$src" "$out/lib/$name.xz" <<'EOF'
import lzma, shutil, sys
with open(sys.argv[1], "rb") as f, lzma.open(sys.argv[2], "wb", preset=6) as g:
    shutil.copyfileobj(f, g)
EOF
  echo "lib/$name.xz: $src" >>"$out/MANIFEST"
done
du -sh "$out"
