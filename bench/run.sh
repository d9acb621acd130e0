#!/usr/bin/env bash
# Runs the benchmarks and prints ratios against references measured in the same run on the same disk.
# Options are passed to the replica-store benchmark (--size-mib, --runs, --seconds, --threads, --dir).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
out="bench/results/blocks-$(date -u +%Y%m%dT%H%M%SZ).txt"
dotnet run -c Release --project bench/Blocks.Bench -- "$@" | tee "$out"
echo "saved to $out"
echo "NBD front end against nbdkit: bench/nbd.sh"
