#!/usr/bin/env bash
# Backup benchmark: backup and restore of a 2 GiB replica (random, then text-like data) into and from a directory
# target on the replica's disk and in RAM (/dev/shm, standing in for a target on another device), against reading
# the same replica's files and compressing them as the backup does (one thread) in the same run; prints the rates
# and their ratios. Drops the page cache, so it runs as root.
#   sudo bench/backup.sh [--size-mib N] [--compression lz4|zstd|none]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build ActorStore.sln -c Release -nologo -v quiet
dotnet build bench/Backup.Bench -c Release -nologo -v quiet
mkdir -p bench/results
out="bench/results/backup-$(date -u +%Y%m%dT%H%M%SZ).txt"
dotnet bench/Backup.Bench/bin/Release/net10.0/ActorStore.Backup.Bench.dll "$@" | tee "$out"
echo "saved to $out"
