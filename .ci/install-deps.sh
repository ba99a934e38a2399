#!/usr/bin/env bash
# Installs with apt what zkd needs to build and test on Debian 12 (CUDA, if wanted, comes from
# NVIDIA's toolkit under /usr/local/cuda). Skips what is already installed; uses sudo when not root.
set -euo pipefail
pkgs=(cmake g++ make libopenblas-dev libdnnl-dev libstb-dev zlib1g-dev googletest libgtest-dev python3-torch python3-numpy python3-pil curl)
pkgs+=(nlohmann-json3-dev libcli11-dev libarchive-dev libssl-dev)  # JSON, command line, archives, checksums
pkgs+=(clang-14 libclang-rt-14-dev clang-format-14)  # fuzzers, style check
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "zkd: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
