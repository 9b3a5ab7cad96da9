#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser and decoder: cargo-fuzz driving libFuzzer through
# libfuzzer-sys (fuzz/). cargo-fuzz passes nightly-only flags to rustc; on the project's stable
# toolchain RUSTC_BOOTSTRAP=1 lets them through. No sanitizer: the code is safe Rust, and what a
# run looks for is a panic, a hang, runaway memory or a broken assertion.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]  (default: 30 s for every target)
# New inputs go to fuzz/corpus/TARGET (not committed); fuzz/seeds/TARGET are the committed seeds.
# A crash stops the script with its input in fuzz/artifacts/TARGET: make it a regression test in
# the crate it belongs to, then fix it. Each run prints its number of executions.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export PATH="$HOME/.cargo/bin:$PATH" RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build --sanitizer none
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  log=$(mktemp)
  if ! cargo fuzz run --sanitizer none "$target" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $target failed; its input is in fuzz/artifacts/$target" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "fuzz: $target: $runs executions in ${seconds} s, no crash"
  rm -f "$log"
done
