#!/usr/bin/env bash
# One way to open a file (issue 25): code in FOLDERS opens files only through engine/io
# (input_file.h: InputFile / read_file, regular files only with a size cap; atomic_file.h:
# write_file_atomic, never over a non-regular file). Any other open (iostreams, stdio, POSIX
# open, stb's or libarchive's own file functions, mmap) outside those two files fails, listing
# each line. Comments are ignored. The check first proves on a planted line that it can fail.
# Usage: bash .ci/check_file_access.sh
set -euo pipefail
cd "$(dirname "$0")/.."
folders=(engine datasets apps)
allowed='^engine/io/(input_file|atomic_file)\.cpp$'
pattern='std::(i|o)?fstream|std::filebuf|\b(fopen|fdopen|freopen|open|openat|creat|mmap|gzopen)\(|stbi_(load|info|write_(png|jpg|bmp|tga|hdr))\(|stbi_load_from_file|archive_read_open_(filename|file|fd)\('

# Prints "file:line: code" for every open outside the allowed files, in the files listed on stdin.
scan() {
  local f
  while IFS= read -r f; do
    [[ $f =~ $allowed ]] && continue
    # The code of each line without its // comment, numbered, then matched.
    sed 's|//.*||' "$f" | grep -nE "$pattern" | sed "s|^|$f:|" || true
  done
}

planted=$(mktemp -d)
trap 'rm -rf "$planted"' EXIT
printf 'std::ifstream in(path);  // planted\n' >"$planted/reader.cpp"
[ -n "$(echo "$planted/reader.cpp" | scan)" ] || { echo "check_file_access: the planted open was not found (the check is broken)"; exit 1; }

hits=$(git ls-files -- "${folders[@]/%//*.cpp}" "${folders[@]/%//*.h}" "${folders[@]/%//*.cu}" \
  "${folders[@]/%//*.cuh}" | scan)
if [ -n "$hits" ]; then
  echo "check_file_access: files must be opened through engine/io/input_file.h or atomic_file.h:"
  echo "$hits"
  exit 1
fi
echo "check_file_access: ${folders[*]}: every file opened through engine/io"
