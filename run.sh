#!/usr/bin/env bash
# Builds and runs ActorStore on embedded defaults (SQLite journal, disks under ./data, ignored by git).
#
#   ./run.sh                one node: REST on 127.0.0.1:9500, NBD on 127.0.0.1:10809, data under data/
#   ./run.sh --nodes 3      a local cluster of three nodes on this machine: node-N keeps its data under
#                           data/node-N, all share one journal (data/cluster-journal.db), ports are offset
#                           per node (REST 9500+N-1, Akka 4053+N-1, NBD 10809+10(N-1), data 10810+10(N-1))
#
# Every node's endpoints are printed once it is ready; Ctrl+C stops them all cleanly. Other arguments go to
# every node (e.g. --force-socket). `./pbm --node 127.0.0.1:9501 …` talks to node-2's gateway.
set -euo pipefail
cd "$(dirname "$0")"

nodes=1
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if ! [[ "$nodes" =~ ^[1-9]$ ]]; then
  echo "run.sh: --nodes takes 1 to 9" >&2
  exit 2
fi

dotnet build ActorStore.sln -c Release -nologo -v quiet
node_dll=src/Cluster/bin/Release/net10.0/actorstore-node.dll

if [[ "$nodes" == 1 ]]; then
  exec dotnet "$node_dll" --data-dir data "${args[@]}"
fi

mkdir -p data
seeds=()
for i in $(seq 1 "$nodes"); do seeds+=(--seed "akka.tcp://actorstore@127.0.0.1:$((4053 + i - 1))"); done

pids=()
stop() {
  trap - INT TERM
  echo "stopping ${#pids[@]} nodes…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  exit 0
}
trap stop INT TERM

for i in $(seq 1 "$nodes"); do
  log="data/node-$i.log"
  dotnet "$node_dll" --node-id "node-$i" --data-dir "data/node-$i" \
    --remote-port $((4053 + i - 1)) --api-port $((9500 + i - 1)) --nbd-port $((10809 + 10 * (i - 1))) --data-port $((10810 + 10 * (i - 1))) \
    --journal sqlite --journal-connection "Data Source=data/cluster-journal.db" "${seeds[@]}" "${args[@]}" >"$log" 2>&1 &
  pids+=($!)
  # One at a time: the first node makes the cluster (and its journal record); the others join it.
  for _ in $(seq 1 240); do
    if grep -q '^actorstore-node ready' "$log"; then break; fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then echo "node-$i exited; its log:" >&2; cat "$log" >&2; stop; fi
    sleep 0.5
  done
  grep '^actorstore-node ready' "$log" || { echo "node-$i did not become ready; see $log" >&2; stop; }
done
echo "cluster of $nodes nodes running; logs in data/node-N.log; Ctrl+C stops them"
wait
