#!/usr/bin/env bash
# Runs closepath's libFuzzer targets under ASan+UBSan, each for SECONDS
# (default 60), seeded from the project's own files: the catalogue and the
# malformed-scenario corpus, the committed captures, every wire pattern and
# step line of the catalogue, and every past finding (fuzz/regressions/,
# named TARGET-what). Findings land in build-sanitize/fuzz-findings/.
#   tools/fuzz.sh [SECONDS] [capture|pattern|scenario ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(capture pattern scenario)

tools/sanitize.sh --build-only
build=build-sanitize
corpus=$build/fuzz-corpus
findings=$build/fuzz-findings
mkdir -p "$findings"
for t in "${targets[@]}"; do mkdir -p "$corpus/$t"; done

# Seeds: whole files for the file targets, one line per seed for the grammar.
cp -n scenarios/*.yaml pytest/data/*.yaml "$corpus/scenario/" 2>/dev/null || true
cp -n pcap/tests/data/*.pcapng pcap/tests/data/corpus/*.pcap* "$corpus/capture/" 2>/dev/null || true
for t in "${targets[@]}"; do cp -n fuzz/regressions/"$t"-* "$corpus/$t/" 2>/dev/null || true; done
if [[ -d $corpus/pattern ]]; then
  n=0
  while IFS= read -r line; do
    printf '%s' "$line" > "$corpus/pattern/seed-$((n++))"
  done < <(sed -n 's/^ *- \(\(c>s\|s>c\|\.\.\.\).*\)$/\1/p; s/^ *- \(client\|server\|wire\|wait\): \(.*\)$/\2/p' scenarios/*.yaml | sort -u)
fi

status=0
for t in "${targets[@]}"; do
  echo "== fuzz_$t for ${seconds}s"
  if ! "$build/fuzz/fuzz_$t" "$corpus/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$findings/$t-" -print_final_stats=1 2>"$build/fuzz-$t.log"; then
    echo "fuzz_$t: FINDING (see $build/fuzz-$t.log and $findings/)"
    tail -40 "$build/fuzz-$t.log"
    status=1
  else
    grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "$build/fuzz-$t.log" | tail -2
  fi
done
exit $status
