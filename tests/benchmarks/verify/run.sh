#!/usr/bin/env bash
# What the member-side check of a merge (issue #13) adds per round: bytes fetched and time, mnist-2nn and mnist-cnn, at
# cluster sizes 4 and 16. Appends a dated section with the load average to tests/benchmarks/verify/RESULTS.md.
#
#   tests/benchmarks/verify/run.sh [REPEATS]     (default 9)
. "$(dirname "$0")/../../../devnet/lib/strict.sh"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
repeats="${1:-9}"
dotnet build "$root/tests/SwarmFL.Swarm.Bench" -c Release -nologo -v:q -clp:ErrorsOnly -m:1 >/dev/null
before="$(cut -d' ' -f1-3 /proc/loadavg)"
table="$(dotnet "$root/tests/SwarmFL.Swarm.Bench/bin/Release/net10.0/SwarmFL.Swarm.Bench.dll" check "$repeats")"
after="$(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ): tests/benchmarks/verify/run.sh $repeats"
  echo
  echo "$(nproc) cores, $(uname -sr); commit $(git -C "$root" rev-parse --short HEAD); load average $before → $after"
  echo
  echo "$table"
} >> "$here/RESULTS.md"
echo "$table"
echo "load average $before → $after; appended to $here/RESULTS.md"
