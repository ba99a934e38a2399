#!/usr/bin/env bash
# Fills .gpu-deps/ (ignored by git) on THIS (Debian 12) machine with what a bare GPU machine may
# lack to build and test zkd, for tests/gpu/check.sh to use there (carry the folder along):
#   googletest/          GoogleTest source (/usr/src/googletest), built by the project if needed
#   include/             cblas.h + openblas_config.h (OpenBLAS), stb/*.h,
#                        nlohmann/, CLI/, archive*.h (libarchive), openssl/ (with the
#                        multiarch configuration.h / opensslconf.h), dnnl-root/ (oneDNN: dnnl*.h*
#                        and oneapi/dnnl/)
#   share/cmake/         nlohmann_json and CLI11 package configs (their prefix is this folder)
#   lib/*.xz             libopenblas.so.0, libgfortran.so.5, libquadmath.so.0, libz.so.1,
#                        libdnnl.so.2 (+ libOpenCL.so.1), libarchive.so.13 and what it needs
#                        beyond glibc (nettle, acl, lzma, zstd, lz4, bz2, xml2, ICU 72),
#                        libcrypto.so.3; xz-compressed (about 28 MB in all; check.sh unpacks
#                        each only where the machine's ldconfig lacks it)
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
need /usr/include/nlohmann/json.hpp "apt install nlohmann-json3-dev"
need /usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake "apt install nlohmann-json3-dev"
need /usr/include/CLI/CLI.hpp "apt install libcli11-dev"
need /usr/share/cmake/CLI11/CLI11Config.cmake "apt install libcli11-dev"
need /usr/include/archive.h "apt install libarchive-dev"
need /usr/include/openssl/crypto.h "apt install libssl-dev"
need /usr/include/oneapi/dnnl/dnnl.hpp "apt install libdnnl-dev"

rm -rf "$out"
mkdir -p "$out/include/stb" "$out/lib"
cp -r /usr/src/googletest "$out/googletest"
cp /usr/include/x86_64-linux-gnu/openblas-pthread/{cblas.h,openblas_config.h} "$out/include/"
cp /usr/include/stb/*.h "$out/include/stb/"
cp -r /usr/include/nlohmann /usr/include/CLI /usr/include/openssl "$out/include/"
cp /usr/include/x86_64-linux-gnu/openssl/*.h "$out/include/openssl/"
cp /usr/include/archive.h /usr/include/archive_entry.h "$out/include/"
mkdir -p "$out/include/dnnl-root/oneapi" "$out/share/cmake"
cp /usr/include/dnnl*.h* "$out/include/dnnl-root/"
cp -r /usr/include/oneapi/dnnl "$out/include/dnnl-root/oneapi/"
cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 "$out/share/cmake/"

# Each shared library under its SONAME, compressed (python3's lzma: no xz binary needed).
{
  echo "zkd GPU-check dependencies, packed $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n)"
  echo "googletest: /usr/src/googletest ($(dpkg-query -W -f='${Version}' googletest 2>/dev/null || echo '?'))"
  echo "openblas: $(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo '?')"
  echo "stb: $(dpkg-query -W -f='${Version}' libstb-dev 2>/dev/null || echo '?')"
  for p in nlohmann-json3-dev libcli11-dev libarchive-dev libssl-dev libdnnl-dev; do
    echo "$p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo '?')"
  done
} >"$out/MANIFEST"
for lib in openblas-pthread/libopenblas.so.0 libgfortran.so.5 libquadmath.so.0 libz.so.1 \
           libdnnl.so.2 libOpenCL.so.1 libarchive.so.13 libnettle.so.8 libacl.so.1 liblzma.so.5 \
           libzstd.so.1 liblz4.so.1 libbz2.so.1.0 libxml2.so.2 libicuuc.so.72 libicudata.so.72 \
           libcrypto.so.3; do
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
