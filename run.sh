#!/usr/bin/env bash
# Builds and runs an ActorStore node on embedded defaults: a cluster of one, SQLite journal and two
# disks under ./data (ignored by git), REST on 127.0.0.1:9500, NBD on 127.0.0.1:10809. Ctrl+C stops it
# cleanly. Extra arguments go to the node (e.g. --api-port 0); `./pbm` talks to it.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build ActorStore.sln -c Release -nologo -v quiet
exec dotnet src/Cluster/bin/Release/net10.0/actorstore-node.dll --data-dir data "$@"
