#!/bin/sh
# Runs every libFuzzer harness in DIR for SECONDS each, seeded from
# fuzz/corpus/<name>/ when present. Fails on the first crash.
set -eu
dir=${1:-build-fuzz/fuzz}
secs=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$dir"/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  mkdir -p "$work/$name"
  seeds=""
  [ -d "$root/fuzz/corpus/$name" ] && seeds="$root/fuzz/corpus/$name"
  echo "fuzz: $name for ${secs}s"
  "$f" -max_total_time="$secs" -print_final_stats=0 -artifact_prefix="$work/" \
       "$work/$name" $seeds 2>"$work/$name.log" || {
    tail -n 40 "$work/$name.log"; echo "fuzz: $name FAILED"; exit 1; }
  grep -E "^(Done|#[0-9]+ +DONE)" "$work/$name.log" | tail -n 1 || true
done
echo "fuzz: all harnesses ran clean"
