#!/bin/sh
# The CRI module shares the agent's code instead of carrying a copy
# (runtime/cri/plugin/CMakeLists.txt). Checks both halves of that on the built
# files, so a break shows here and not as RuntimeUnavailable at the first CRI pod:
#  1. every daemonlet symbol the module leaves undefined is exported by the
#     daemonlet executable (else dlopen(RTLD_NOW) fails: "undefined symbol");
#  2. the module defines none of the agent's own functions or data outside
#     daemonlet::runtime::cri (weak copies of inline functions are fine: the
#     executable's win at load time).
# Usage: check_module_symbols.sh MODULE EXECUTABLE
set -eu
module=$1
executable=$2
for file in "$module" "$executable"; do
  [ -f "$file" ] || { echo "$file is not built" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only --format=posix "$executable" | cut -d' ' -f1 | sort -u >"$tmp/exported"
nm -D --undefined-only --format=posix "$module" | cut -d' ' -f1 | grep -E '^_ZN?K?9daemonlet' | sort -u >"$tmp/needed" || true
comm -23 "$tmp/needed" "$tmp/exported" >"$tmp/missing"
nm -D --defined-only --format=posix "$module" | grep -E '^_ZN9daemonlet[^ ]* [TDBR] ' | cut -d' ' -f1 |
  grep -v '^_ZN9daemonlet7runtime3cri' >"$tmp/copies" || true

status=0
if [ -s "$tmp/missing" ]; then
  echo "undefined in $module and not exported by $executable (a .cpp missing from daemonlet_cri?):"
  c++filt <"$tmp/missing" | sed 's/^/  /'
  status=1
fi
if [ -s "$tmp/copies" ]; then
  echo "a second copy of the agent's code in $module (an agent library linked into it?):"
  c++filt <"$tmp/copies" | sed 's/^/  /'
  status=1
fi
[ $status -eq 0 ] && echo "$module: the $(wc -l <"$tmp/needed") agent symbols it needs are all exported by $executable"
exit $status
