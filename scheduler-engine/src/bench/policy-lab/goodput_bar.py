#!/usr/bin/env python3
"""The goodput bar of issue 17, across seeds and loads, with 95% confidence intervals.

    python3 scheduler-engine/src/bench/policy-lab/goodput_bar.py --trace azure-code-2023.csv \
        --loads 0.9,0.95,1.05 --seeds 1,2,3,4,5 [--extra '--urgent-priority 1 --bulk-chunk-tokens 0']

Runs `simulate --trace T --load L --policy fifo,priority,mlfq,weighted --priorities
mix:1=0.1,3=0.3,5=0.6 --tenants 4 --seed S --format json` once per load and seed, one run at a
time, and prints per load and policy the goodput change against FIFO in the same run (mean over
seeds ± the half-width of its 95% Student-t interval), then per class the share of tasks that met
their objectives and the shares that missed the TTFT and the TPOT objective. The seed draws the
priority classes and tenants; the arrivals are the trace's. Goodput is compared as counts of tasks
that met their objectives (goodput_share × tasks): every policy of a run completes the same tasks,
so this is goodput_tps without the policy's own makespan in the denominator. Prints the load
average before and after and the CPU seconds the simulations used: the figures are simulated
time and do not depend on the machine.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys

T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
POLICIES = ["fifo", "priority", "mlfq", "weighted"]


def ci(values):
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, float("nan")
    return mean, T95.get(len(values) - 1, 1.96) * statistics.stdev(values) / len(values) ** 0.5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trace", default="azure-code-2023.csv")
    ap.add_argument("--loads", default="0.95")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--jar", default="scheduler-engine/target/queuedeck-engine.jar")
    ap.add_argument("--extra", default="", help="more simulate options, e.g. '--chunk-order admission'")
    ap.add_argument("--policies", default=",".join(POLICIES))
    args = ap.parse_args()
    policies = args.policies.split(",")
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if "JAVA_HOME" in os.environ else "java"
    print(f"# {args.trace} loads {args.loads} seeds {args.seeds} {args.extra}".rstrip())
    print("# load average before: %.2f %.2f %.2f" % os.getloadavg())
    for load in args.loads.split(","):
        change = {p: [] for p in policies}
        classes = {}
        for seed in args.seeds.split(","):
            cmd = [java, "-jar", args.jar, "simulate", "--trace", args.trace, "--load", load, "--policy",
                   ",".join(policies), "--priorities", "mix:1=0.1,3=0.3,5=0.6", "--tenants", "4", "--seed", seed,
                   "--format", "json"] + args.extra.split()
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results = {r["policy"]: r for r in json.loads(out)}
            fifo_good = results["fifo"]["goodput_share"] * results["fifo"]["tasks"]
            for p in policies:
                r = results[p]
                good = r["goodput_share"] * r["tasks"]
                change[p].append(100 * (good / fifo_good - 1) if fifo_good > 0 else float("nan"))
                for cls, f in r["by_priority"].items():
                    acc = classes.setdefault((p, cls), {"met": [], "ttft": [], "tpot": []})
                    acc["met"].append(f["slo_met_share"])
                    acc["ttft"].append(f["ttft_slo_miss_share"])
                    acc["tpot"].append(f["tpot_slo_miss_share"])
        print(f"\nload {load}: goodput against FIFO, % (mean ± 95% CI over {len(change['fifo'])} seeds; per seed)")
        for p in policies[1:]:
            m, h = ci(change[p])
            others_gain = any(statistics.fmean(change[q]) > 0 for q in policies[1:] if q != p)
            verdict = "  loses > 2% where others gain: bar not met" if m < -2 and others_gain else ""
            print(f"  {p:9s} {m:+7.1f} ± {h:4.1f}   [{', '.join('%+.1f' % v for v in change[p])}]{verdict}")
        print("  per class (mean over seeds): met objectives / missed TTFT / missed TPOT")
        for p in policies:
            row = []
            for cls in sorted({c for (q, c) in classes if q == p}, key=int):
                a = classes[(p, cls)]
                row.append(f"p{cls} {statistics.fmean(a['met']):.3f}/{statistics.fmean(a['ttft']):.3f}/"
                           f"{statistics.fmean(a['tpot']):.3f}")
            print(f"  {p:9s} " + "   ".join(row))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("\n# simulations' CPU: %.1f s; load average after: %.2f %.2f %.2f"
          % ((usage.ru_utime + usage.ru_stime,) + os.getloadavg()))


if __name__ == "__main__":
    sys.exit(main())
