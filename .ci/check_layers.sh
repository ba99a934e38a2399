#!/usr/bin/env bash
# The layers of docs/architecture.md, checked by grep (issue 22): outside engine/, no code calls
# ZKD_DISPATCH or includes a header of engine/backend/ (but op_args.h, the ops' argument structs);
# no method name is compared as a string outside the method table's parser
# (apps/config/method.cpp). Tests are exempt from the first rule (kernel tests call the backend
# ops directly). Comments are ignored. Each rule first proves on a planted line that it can fail.
# Usage: bash .ci/check_layers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
product=(apps datasets nets kernels)
backend='ZKD_DISPATCH|#include "engine/backend/(cpu|cuda)/|#include "engine/backend/backend\.h"'
methods='"(ce|kd|dkd|mlkd|ctkd)(\+ls)?"|"\+ls"'
method_cmp="(==|!=) *($methods)|($methods) *(==|!=)|\.(compare|rfind|find)\(($methods)"

# Prints "file:line: code" for the lines of the files on stdin that match $1 (comments removed).
scan() {
  local f
  while IFS= read -r f; do
    sed 's|//.*||' "$f" | grep -nE "$1" | sed "s|^|$f:|" || true
  done
}

planted=$(mktemp -d)
trap 'rm -rf "$planted"' EXIT
printf 'Tensor y = ZKD_DISPATCH(x, scale, x, 2.0);\nif (c.method == "dkd+ls") {}\n' \
  >"$planted/planted.cpp"
[ -n "$(echo "$planted/planted.cpp" | scan "$backend")" ] &&
  [ -n "$(echo "$planted/planted.cpp" | scan "$method_cmp")" ] ||
  { echo "check_layers: a planted line was not found (the check is broken)"; exit 1; }

sources() { git ls-files -- "${@/%//*.cpp}" "${@/%//*.h}" "${@/%//*.cu}" "${@/%//*.cuh}"; }
status=0
hits=$(sources "${product[@]}" | scan "$backend")
if [ -n "$hits" ]; then
  echo "check_layers: outside engine/, the backend is reached only through engine/ops (docs/architecture.md):"
  echo "$hits"
  status=1
fi
hits=$(sources apps datasets nets tests | grep -v '^apps/config/method\.cpp$' | scan "$method_cmp")
if [ -n "$hits" ]; then
  echo "check_layers: a method name compared as a string (use the typed Method of apps/config/method.h):"
  echo "$hits"
  status=1
fi
[ $status -eq 0 ] && echo "check_layers: ok (no dispatch outside engine/, no method name compared as a string)"
exit $status
