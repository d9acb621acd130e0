#!/usr/bin/env bash
# Builds and runs an ActorStore node on embedded defaults, with its data under ./data (ignored by git).
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet run -c Release --project src/Cluster -- --data-dir data "$@"
