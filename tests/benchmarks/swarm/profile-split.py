#!/usr/bin/env python3
"""Splits profile.sh's perf samples by role and by library, and prints the markdown table of PROFILE-RESULTS.md.

Roles come from the command lines profile.sh sampled every second (perf knows thread names, not what a process is):
a node (`swarmfl node --data-dir …`), Hardhat (`hardhat node`), the launcher (`devnet up`), the simulation
(`swarmfl simulate`); every other process is "other", and the idle task is "idle".
"""
import argparse
import collections
import glob
import json
import os
import re

SAMPLE = re.compile(r"^\s*(?P<comm>.+?)\s+(?P<pid>\d+)/(?P<tid>\d+)\s+(?P<period>\d+)\s+(?P<ip>[0-9a-f]+)\s+\((?P<dso>.*)\)\s*$")
LIBRARIES = ["libtorch", ".NET", "kernel", "other"]  # .NET: the runtime, the JIT and the code it compiled


def role_of(cmd):
    if " node --data-dir " in f" {cmd} ":
        return "node"
    if "hardhat" in cmd and " node" in cmd:
        return "Hardhat"
    if " simulate " in f" {cmd} ":
        return "simulation"
    if "devnet up" in cmd or "devnet/up" in cmd:
        return "launcher"
    return "other"


def library_of(dso, role):
    if dso.startswith("[kernel"):
        return "kernel"
    name = os.path.basename(dso)
    if any(k in name for k in ("libtorch", "libc10", "libgomp", "libiomp", "libmkl", "libopenblas")):
        return "libtorch"
    dotnet = role in ("node", "simulation", "launcher")
    if dotnet and (name.startswith(("libcoreclr", "libclrjit", "libSystem.", "System.", "SwarmFL.", "TorchSharp")) or name.endswith(".dll")
                   or dso in ("[unknown]", "[JIT] tid") or name.startswith(("perf-", "memfd:doublemapper"))):
        return ".NET"
    return "other"


def load_roles(path):
    roles = {}
    with open(path, errors="replace") as f:
        for line in f:
            pid, _, cmd = line.rstrip("\n").partition(" ")
            if pid.isdigit():
                role = role_of(cmd)
                if roles.get(int(pid), "other") == "other":
                    roles[int(pid)] = role
    return roles


def split(directory, name):
    roles = load_roles(os.path.join(directory, f"{name}.pids"))
    seconds = collections.defaultdict(lambda: collections.Counter())
    processes = collections.defaultdict(set)
    with open(os.path.join(directory, f"{name}.samples"), errors="replace") as f:
        for line in f:
            m = SAMPLE.match(line)
            if not m:
                continue
            pid = int(m["pid"])
            role = "idle" if pid == 0 else roles.get(pid, "other")
            seconds[role][library_of(m["dso"], role)] += int(m["period"]) / 1e9
            processes[role].add(pid)
    start, end = map(float, open(os.path.join(directory, f"{name}.wall")).read().split())
    return seconds, processes, end - start


def trained_samples(run_dir):
    total = 0
    for path in glob.glob(os.path.join(run_dir, "**", "rounds.jsonl"), recursive=True):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    total += int(json.loads(line).get("samples") or 0)
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--rounds", type=int, required=True)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    samples = trained_samples(args.run)
    print(f"CPU seconds from `perf record -a -F 250` (every core, idle included); {samples:,} samples trained by the "
          f"swarm's nodes over {args.rounds} rounds (the simulation trains the same clients on the same data).")
    print()
    print("| run | role | processes | CPU s | share of the cores | libtorch s | .NET s | kernel s | other s | libtorch µs per trained sample |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in ("simulation", "swarm"):
        seconds, processes, wall = split(args.dir, name)
        capacity = wall * cores
        for role in ("simulation", "node", "Hardhat", "launcher", "other", "idle"):
            if role not in seconds:
                continue
            by = seconds[role]
            total = sum(by.values())
            per_sample = f"{by['libtorch'] / samples * 1e6:.1f}" if role in ("node", "simulation") and samples else ""
            print(f"| {name} ({wall:.1f} s wall) | {role} | {len(processes[role]) if role != 'idle' else ''} | {total:.1f} | {total / capacity:.0%} | "
                  + " | ".join(f"{by[lib]:.1f}" for lib in LIBRARIES) + f" | {per_sample} |")


if __name__ == "__main__":
    main()
