#!/usr/bin/env bash
# NBD benchmark: fio's nbd engine against a real node and against nbdkit's file plugin on the same disk,
# measured in the same run, warmed up, then alternating A B A B; prints IOPS, MB/s, CPU µs per request and the node/nbdkit ratio for a 1-replica
# volume (in-process), 1 replica with --force-socket, 2 replicas, and three nodes with a 3-replica volume (the engine
# on node-1, two replicas over the data port).
#   sudo bench/nbd.sh [--seconds N] [--size-mib N] [--pairs N] [--warmup N] [--setup TEXT] [--only TEXT] [--nbdkit-only]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build ActorStore.sln -c Release -nologo -v quiet
dotnet build bench/Nbd.Bench -c Release -nologo -v quiet
mkdir -p bench/results
out="bench/results/nbd-$(date -u +%Y%m%dT%H%M%SZ).txt"
dotnet bench/Nbd.Bench/bin/Release/net10.0/ActorStore.Nbd.Bench.dll "$@" | tee "$out"
echo "saved to $out"
