#!/usr/bin/env bash
# The whole test suite against a clang build with AddressSanitizer and
# UndefinedBehaviorSanitizer (preset "sanitize", in build-sanitize/): the unit
# tests, then pytest with the sanitized closepath and peer. Extra arguments
# go to pytest. --build-only builds and stops (tools/fuzz.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/bootstrap.sh --packages-only clang libclang-rt-14-dev >/dev/null
cmake --preset sanitize >/dev/null
cmake --build build-sanitize -j"$(nproc)"
[[ ${1:-} == --build-only ]] && exit 0
# Any report fails the run: UBSan aborts, ASan exits non-zero, and both print a stack.
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-sanitize && ctest --output-on-failure -LE pytest)
# Every past fuzz finding, replayed through its target: it must stay fixed.
shopt -s nullglob
for t in capture pattern scenario; do
  found=(fuzz/regressions/"$t"-*)
  ((${#found[@]})) || continue
  if ! build-sanitize/fuzz/fuzz_"$t" "${found[@]}" >/dev/null 2>&1; then
    echo "a past fuzz finding is back: build-sanitize/fuzz/fuzz_$t ${found[*]}" >&2
    exit 1
  fi
done
exec /usr/bin/python3 -m pytest -n "${CLOSEPATH_PYTEST_WORKERS:-$((2 * $(nproc)))}" --dist loadgroup pytest -p no:cacheprovider --closepath="$PWD/build-sanitize/closepath" \
  --closepath-out="$PWD/out/sanitize" "$@"
