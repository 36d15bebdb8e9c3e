#!/usr/bin/env python3
"""Runs the policy lab's scenario sweep and checks the issue's bars.

Usage: python3 scheduler-engine/src/bench/policy-lab/run.py [OUT_DIR]
Needs scheduler-engine/target/queuedeck-engine.jar (./mvnw -q -DskipTests package) and `java` >= 21.
Writes OUT_DIR/<scenario>/report.json (+ charts) and prints a Markdown summary of the bars.
"""
import json
import os
import subprocess
import sys
import time

JAR = "scheduler-engine/target/queuedeck-engine.jar"
MIX = ["--priorities", "mix:1=0.1,3=0.3,5=0.6", "--tenants", "4", "--seed", "1"]
NON_CLAIRVOYANT = ["fifo", "priority", "mlfq", "aging", "weighted", "edf", "fair", "sjf"]

# (name, extra arguments). 110% runs on a 20-minute window: an overloaded queue grows without bound.
SCENARIOS = []
for trace, short in (("azure-conv-2023.csv", "conv"), ("azure-code-2023.csv", "code")):
    for load in ("0.7", "0.9", "1.0"):
        SCENARIOS.append((f"{short}-b32-load{load}", ["--trace", trace, "--load", load]))
    SCENARIOS.append((f"{short}-b32-load1.1-window", ["--trace", trace, "--load", "1.1", "--window", "0:1200"]))
    for load in ("0.9", "1.0"):
        SCENARIOS.append((f"{short}-b8-load{load}", ["--trace", trace, "--load", load, "--max-batch", "8"]))


def run(out_dir, name, args):
    target = os.path.join(out_dir, name)
    command = ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", JAR, "simulate", "--policy", "all", "--format", "json", "--out", target] + args + MIX
    start = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - start
    with open(os.path.join(target, "report.json")) as f:
        return json.load(f), wall, " ".join(command[3:])


def by_policy(report):
    return {r["policy"]: r for r in report}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "target/policy-lab"
    os.makedirs(out_dir, exist_ok=True)
    rows = []
    for name, args in SCENARIOS:
        report, wall, command = run(out_dir, name, args)
        p = by_policy(report)
        oracle = p["srpt-oracle"]["latency_mean_ms"]
        best = min(NON_CLAIRVOYANT, key=lambda n: p[n]["latency_mean_ms"])
        fifo = p["fifo"]
        beats_oracle = [n for n in NON_CLAIRVOYANT if p[n]["latency_mean_ms"] < oracle * 0.98]
        tput_loss = {n: 1 - p[n]["throughput_tps"] / fifo["throughput_tps"] for n in NON_CLAIRVOYANT}
        worst_loss = max(tput_loss, key=tput_loss.get)
        starve = {n: p[n]["max_wait_ms"] / max(p[n]["queue_wait_mean_ms"], 1e-9) for n in ("aging", "weighted", "mlfq")}
        rows.append({
            "scenario": name, "wall_s": round(wall, 1), "command": command,
            "best": best, "best_over_oracle": p[best]["latency_mean_ms"] / oracle,
            "beats_oracle_by_2pct": beats_oracle,
            "worst_throughput_loss": (worst_loss, tput_loss[worst_loss]),
            "fifo_over_best": fifo["latency_mean_ms"] / p[best]["latency_mean_ms"],
            "starvation_ratio": starve,
            "means": {n: p[n]["latency_mean_ms"] for n in p},
        })
    print("| scenario | best policy | best / oracle | beats oracle >2% | worst throughput loss vs FIFO | FIFO / best | max wait / mean wait (aging, weighted, mlfq) | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        loss_name, loss = r["worst_throughput_loss"]
        s = r["starvation_ratio"]
        print(f"| {r['scenario']} | {r['best']} | {r['best_over_oracle']:.3f} | {', '.join(r['beats_oracle_by_2pct']) or 'none'} "
              f"| {loss_name} {loss * 100:.1f}% | {r['fifo_over_best']:.2f} | {s['aging']:.1f}, {s['weighted']:.1f}, {s['mlfq']:.1f} | {r['wall_s']} |")
    print()
    print("Mean end-to-end latency (ms) per scenario and policy:")
    print()
    names = list(rows[0]["means"].keys())
    print("| scenario | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for r in rows:
        print(f"| {r['scenario']} | " + " | ".join(f"{r['means'][n]:.0f}" for n in names) + " |")
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
