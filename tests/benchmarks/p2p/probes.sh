#!/usr/bin/env bash
# Issue #14's hostile-network probes (tests/SwarmFL.Node.Tests/Hostile/HostileNetworkProbeTests.cs), each against a
# real `swarmfl p2p listen` on loopback, run twice: against swarmfl built from BEFORE_REV (default: the commit before
# the ResourceManager landed) and against HEAD's build. Writes the figures each probe prints (share of pings that
# succeeded, log growth, resident memory before/peak/after, stream outcomes), whether its assertions held, and the
# load average to tests/benchmarks/p2p/PROBES-RESULTS.md (or OUT).
# Usage: tests/benchmarks/p2p/probes.sh [BEFORE_REV]      (from anywhere; not run by tests/run; about 15 minutes)
# BEFORE_REV is exported with `git archive` into a temporary directory and only node/SwarmFL.Node is built there. The
# old listener has no --limits, so its run sets SWARMFL_PROBE_BASELINE=1 (the stalled-stream probe then passes none).
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
. "$ROOT/devnet/lib/strict.sh"
BEFORE_REV="${1:-1a75da1^}"
OUT="${OUT:-$ROOT/tests/benchmarks/p2p/PROBES-RESULTS.md}"
cd "$ROOT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
before_commit="$(git rev-parse --short "$BEFORE_REV")"
head_commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- node tests || echo '+changes')"

echo "probes: building HEAD's tests and swarmfl…"
dotnet build tests/SwarmFL.Node.Tests -c Release -nologo -v:q -clp:ErrorsOnly -m:1
echo "probes: exporting and building $BEFORE_REV ($before_commit)…"
mkdir -p "$WORK/before"
git archive "$BEFORE_REV" | tar -x -C "$WORK/before"
dotnet build "$WORK/before/node/SwarmFL.Node" -c Release -nologo -v:q -clp:ErrorsOnly -m:1
BEFORE_DLL="$WORK/before/node/SwarmFL.Node/bin/Release/net10.0/swarmfl.dll"
[ -f "$BEFORE_DLL" ] || { echo "probes: no $BEFORE_DLL after the build" >&2; exit 1; }

run_probes() { # $1 = label, $2 = swarmfl.dll, $3 = 1 for the baseline (no --limits); writes $WORK/$1.log
  echo "probes: $1 (load $(cut -d' ' -f1-3 /proc/loadavg))…"
  SWARMFL_PROBE_SWARMFL="$2" SWARMFL_PROBE_BASELINE="$3" \
    dotnet test tests/SwarmFL.Node.Tests -c Release --no-build --nologo --filter "FullyQualifiedName~HostileNetworkProbeTests" \
      --logger "console;verbosity=detailed" >"$WORK/$1.log" 2>&1 || true
}
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
run_probes before "$BEFORE_DLL" 1
load_between="$(cut -d' ' -f1-3 /proc/loadavg)"
run_probes after "$ROOT/tests/SwarmFL.Node.Tests/bin/Release/net10.0/swarmfl.dll" 0
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# One row per probe: its printed figures and whether its test passed.
row() { # $1 = label, $2 = test-name fragment, $3 = the figure line's prefix
  local log="$WORK/$1.log" outcome figures
  if grep -qE "^\s+Passed [^ ]*$2" "$log"; then outcome=passed; elif grep -qE "^\s+Failed [^ ]*$2" "$log"; then outcome=FAILED; else outcome="did not run"; fi
  figures="$(grep -m1 -oE "$3.*" "$log" | sed 's/|/\\|/g' || true)"
  echo "| $1 | $outcome | ${figures:-no figures printed} |"
}
{
  echo "# Hostile-network probes, before and after the resource limits (issue #14)"
  echo
  echo "Command: \`tests/benchmarks/p2p/probes.sh $BEFORE_REV\`, run $(date -u +%FT%TZ) on $(nproc) cores, $(uname -sr)."
  echo "*before* = swarmfl built from $before_commit (the commit before the ResourceManager landed; no --limits, SWARMFL_PROBE_BASELINE=1);"
  echo "*after* = HEAD ($head_commit) with every limit at its default except the stalled-stream probe's 5 s idle deadline."
  echo "Load average (1/5/15 min): before the runs $load_before; between $load_between; after $load_after. The machine is shared: memory"
  echo "figures are the listener's own RSS (VmRSS/VmHWM) and do not depend on the load; the share of pings does."
  echo
  echo "The issue's bars: slot probe ≥ 95 % of pings succeed and the log grows < 1 MiB; ping flood ends the connection and"
  echo "RSS rises < 32 MiB; 4 × 256 stalled streams raise RSS < 128 MiB and are all reset within the deadline."
  for probe in "slot:Three_hundred_redialled:slot probe" "flood:A_ping_flood:ping flood" "stall:Four_times_256:stalled streams"; do
    IFS=: read -r name test prefix <<<"$probe"
    echo
    echo "## $prefix"
    echo
    echo "| build | test | figures |"
    echo "|---|---|---|"
    row before "$test" "$prefix"
    row after "$test" "$prefix"
  done
} >"$OUT"
cat "$OUT"
