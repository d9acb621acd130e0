#!/usr/bin/env bash
# Rebuild benchmark: a replica rebuilt onto a new node (three node processes, a 4 GiB volume with 2 GiB allocated
# across five snapshots) against cp --sparse=always of the same replica's files on the same disk, in the same run;
# prints both rates and their ratio. Drops the page cache, so it runs as root.
#   sudo bench/rebuild.sh [--layer-mib N]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build ActorStore.sln -c Release -nologo -v quiet
dotnet build bench/Rebuild.Bench -c Release -nologo -v quiet
mkdir -p bench/results
out="bench/results/rebuild-$(date -u +%Y%m%dT%H%M%SZ).txt"
dotnet bench/Rebuild.Bench/bin/Release/net10.0/ActorStore.Rebuild.Bench.dll "$@" | tee "$out"
echo "saved to $out"
