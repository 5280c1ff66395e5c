#!/usr/bin/env bash
# Proves that real mode runs the stack's own translation units (issue 5, DESIGN.md §2 "write the stack once"):
#  1. every stack/**/*.cpp is compiled exactly once in the whole build, into a stack library (squall_core,
#     squall_resilience, squall_lock, squall_worker) that sim/ and net/ both link; no other target compiles it;
#  2. no stack file includes Boost, net/, sim/, fakes/ or runner/ headers, nor asks which mode it runs in.
# Usage: same_stack_check.sh SOURCE_DIR BUILD_DIR (BUILD_DIR has compile_commands.json)
set -euo pipefail
src=$1 build=$2
db="$build/compile_commands.json"
[ -f "$db" ] || { echo "no $db (CMAKE_EXPORT_COMPILE_COMMANDS is on in CMakeLists.txt)"; exit 1; }
fail=0
count=0
while IFS= read -r file; do
  count=$((count + 1))
  outputs=$(grep -F -- "-c $file\"" "$db" | sed -E 's/.* -o ([^ ]+) -c .*/\1/' || true)
  n=$(printf '%s\n' "$outputs" | grep -c . || true)
  if [ "$n" -ne 1 ]; then
    echo "FAIL: $file is compiled $n times (want exactly once): $outputs"; fail=1; continue
  fi
  if ! printf '%s' "$outputs" | grep -Eq '^stack/CMakeFiles/squall_(core|resilience|lock|worker)\.dir/'; then
    echo "FAIL: $file is compiled into $outputs, not a stack library"; fail=1
  fi
done < <(find "$src/stack" -name '*.cpp' | sort)
[ "$count" -gt 0 ] || { echo "FAIL: no stack sources found under $src/stack"; exit 1; }
if grep -rnE '#include *[<"](boost/|net/|sim/|fakes/|runner/|hiredis)' "$src/stack"; then
  echo "FAIL: the stack includes a runtime, fake or Boost header (above)"; fail=1
fi
if grep -rnE 'is_simulated|SQUALL_REAL|SQUALL_SIM|#if(def)? .*(REAL|SIM)' "$src/stack"; then
  echo "FAIL: the stack asks which mode it runs in (above)"; fail=1
fi
for lib in sim net; do
  grep -q "squall::worker" "$src/$lib/CMakeLists.txt" || { echo "FAIL: $lib/ does not link squall::worker"; fail=1; }
done
[ "$fail" -eq 0 ] && echo "ok: $count stack sources, each compiled once into a stack library shared by sim/ and net/"
exit "$fail"
