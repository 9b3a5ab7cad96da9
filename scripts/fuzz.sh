#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser and decoder: cargo-fuzz driving libFuzzer through
# libfuzzer-sys (fuzz/). cargo-fuzz passes nightly-only flags to rustc; on the project's stable
# toolchain RUSTC_BOOTSTRAP=1 lets them through. No sanitizer: the code is safe Rust, and what a
# run looks for is a panic, a hang, runaway memory or a broken assertion.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 30 s for every target)
#        scripts/fuzz.sh --runs N [TARGET...]               (N executions of each target)
# The timed form is the short run of scripts/test.sh: its build traces comparisons, which guides
# the fuzzer through magic values and keys best. The `--runs` form is for long runs (millions of
# executions): its build, in fuzz/target-throughput, leaves comparison tracing out, which runs the
# targets 2 to 8 times faster, and inputs are capped at 2,048 bytes (the ETL's four files included),
# small enough to keep a run at thousands of executions per second.
# New inputs go to fuzz/corpus/TARGET (not committed); fuzz/seeds/TARGET are the committed seeds.
# A crash stops the script with its input in fuzz/artifacts/TARGET: make it a regression test in
# the crate it belongs to, then fix it. Each run prints its number of executions.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export PATH="$HOME/.cargo/bin:$PATH" RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
runs=
if [ "${1:-}" = "--runs" ]; then
  runs=${2:?--runs needs a number of executions}
  shift 2
  seconds=
else
  seconds=${1:-30}
  shift || true
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
if [ -n "$runs" ]; then
  export CARGO_TARGET_DIR="$PWD/target-throughput"
  cargo fuzz build --sanitizer none --no-trace-compares
  limits=(-runs="$runs" -max_len=2048)
  span="$runs executions"
else
  cargo fuzz build --sanitizer none
  limits=(-max_total_time="$seconds")
  span="${seconds} s"
fi
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  log=$(mktemp)
  started=$SECONDS
  if ! cargo fuzz run --sanitizer none ${runs:+--no-trace-compares} "$target" "corpus/$target" "seeds/$target" -- \
      "${limits[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $target failed; its input is in fuzz/artifacts/$target" >&2
    exit 1
  fi
  done_runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "fuzz: $target: $done_runs executions in $((SECONDS - started)) s ($span asked), no crash"
  rm -f "$log"
done
