#!/usr/bin/env bash
# Runs the whole test suite from a clean checkout: installs the system tools the tests use when they
# are missing, builds, runs every test project, and ends with one line "N passed, M failed".
# The tests mount a small ext4 file system on a loop device and drop the page cache, so they run as root.
set -uo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: the tests mount loop devices and drop the page cache; run it as root (sudo ./test.sh)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
need=()
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
{ command -v fallocate && command -v losetup && command -v fsfreeze && command -v mount; } >/dev/null || need+=(util-linux mount)
command -v ss >/dev/null || need+=(iproute2) # ss -K cuts an engine's data connections (salvage tests)
command -v du >/dev/null || need+=(coreutils)
# The end-to-end tests drive a real node with real clients and servers (tests/EndToEnd.Tests).
{ command -v nbdinfo && command -v nbdcopy && command -v nbdfuse; } >/dev/null || need+=(libnbd-bin)
[ -x /usr/bin/nbdsh ] && /usr/bin/python3 -c 'import nbd' 2>/dev/null || need+=(libnbd-bin python3-libnbd)
command -v qemu-io >/dev/null || need+=(qemu-utils)
command -v fio >/dev/null || need+=(fio)
command -v nbdkit >/dev/null || need+=(nbdkit)
command -v nbd-client >/dev/null || [ -x /usr/sbin/nbd-client ] || need+=(nbd-client)
command -v fusermount3 >/dev/null || need+=(fuse3)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
command -v npm >/dev/null || need+=(npm) # s3rver, the S3-compatible server of the backup tests
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -x data/tools/node_modules/.bin/s3rver ]; then
  echo "test.sh: installing s3rver under data/tools"
  npm install --prefix data/tools --no-audit --no-fund --silent s3rver@3.7.1
fi

if ! dotnet build ActorStore.sln -c Release -nologo -v quiet; then
  echo "0 passed, 1 failed"
  exit 1
fi

# One formatting style for the whole tree (.editorconfig); a difference counts as one failed test.
format_failed=0
if ! dotnet format ActorStore.sln --verify-no-changes -v quiet; then
  echo "test.sh: the tree is not formatted as .editorconfig says; run: dotnet format ActorStore.sln"
  format_failed=1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test ActorStore.sln -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-assembly summaries ("Total tests: 56 / Passed: 54 / Failed: 2 / Skipped: 0").
count() { grep -E "^ +$1: +[0-9]+ *$" "$log" | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
failed=$((failed + skipped + format_failed)) # a skipped test is a setup failure, not a pass
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # the runner itself failed
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then status=1; fi
# CI shows only the tail of the output, so name the failed tests again just above the total.
grep -E "^ +Failed [A-Za-z]" "$log" | sed 's/^ */failed: /'
echo "$passed passed, $failed failed"
exit "$status"
