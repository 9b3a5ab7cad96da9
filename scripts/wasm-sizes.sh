#!/usr/bin/env bash
# Prints the size of every wasm file of the built page (dist/), raw and gzipped (-9, as a static
# server would send it), and fails when one is over its budget: the database worker, which carries
# SQLite, must stay under 450 KiB gzipped.
set -euo pipefail
cd "$(dirname "$0")/../dist"
status=0
for wasm in *.wasm; do
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  printf '%-28s %9d bytes  %8d gzip (%d KiB)\n' "$wasm" "$raw" "$gz" $((gz / 1024))
  case "$wasm" in
    db_worker_bg.wasm) budget=$((450 * 1024)) ;;
    *) budget= ;;
  esac
  if [ -n "$budget" ] && [ "$gz" -gt "$budget" ]; then
    echo "wasm-sizes: $wasm is $gz bytes gzipped, over its budget of $budget" >&2
    status=1
  fi
done
exit "$status"
