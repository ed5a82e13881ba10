#!/bin/sh
# Runs every benchmark program in DIR; each prints JSON lines on stdout.
set -eu
dir=${1:-build/bench}
status=0
for b in "$dir"/bench_*; do
  [ -x "$b" ] || continue
  "$b" || { echo "{\"name\":\"$(basename "$b")\",\"error\":\"exit $?\"}"; status=1; }
done
exit $status
