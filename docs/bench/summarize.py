#!/usr/bin/env python3
"""Summarizes a JMH JSON result: median of the measurement iterations (throughput) and the
percentiles of the sampled distribution (sample time), plus ratios to the PriorityQueue baseline.

    python3 docs/bench/summarize.py docs/bench/jmh-<date>.json   (or a .json.gz)
"""
import gzip
import json
import statistics
import sys


def short(bench):
    return bench.rsplit(".", 2)[-2] + "." + bench.rsplit(".", 1)[-1]


def params(result):
    p = result.get("params", {})
    return " ".join(f"{k}={v}" for k, v in p.items())


def size_of(result):
    p = result.get("params", {})
    return int(p.get("queued", p.get("size", 0)))


def main(path):
    results = json.load((gzip.open if path.endswith(".gz") else open)(path, "rt"))
    thrpt, sample = {}, {}
    print("## Throughput (ops/s): median of measurement iterations [min..max]")
    for r in results:
        if r["mode"] != "thrpt":
            continue
        iterations = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
        med = statistics.median(iterations)
        thrpt[(short(r["benchmark"]), r.get("params", {}).get("policy"), size_of(r))] = med
        print(f"{short(r['benchmark']):45s} {params(r):30s} median {med:>14,.0f}  [{min(iterations):,.0f} .. {max(iterations):,.0f}]"
              f"  mean {r['primaryMetric']['score']:,.0f}")
    print()
    print("## Sample time (us): percentiles over all measurement samples")
    for r in results:
        if r["mode"] != "sample":
            continue
        pct = r["primaryMetric"]["scorePercentiles"]
        n = sum(count for fork in r["primaryMetric"]["rawDataHistogram"] for it in fork for _, count in it)
        sample[(short(r["benchmark"]), r.get("params", {}).get("policy"), size_of(r))] = pct
        print(f"{short(r['benchmark']):45s} {params(r):30s} n={n:>8,d} p50 {pct['50.0']:8.3f}  p99 {pct['99.0']:8.3f}"
              f"  p99.9 {pct['99.9']:10.3f}  p99.99 {pct['99.99']:10.3f}  max {pct['100.0']:12.1f}")
    print()
    print("## Ratios to the PriorityQueue<Long> offer+poll baseline at the same size (same run)")
    for (bench, policy, size), med in sorted(thrpt.items(), key=lambda kv: (kv[0][0], kv[0][2], str(kv[0][1]))):
        base = thrpt.get(("PriorityQueueBaselineBench.offerThenPoll", None, size))
        if base and not bench.startswith("PriorityQueue"):
            print(f"{bench:45s} {policy or '':9s} {size:>8,d}: throughput {med / base:6.3f} of baseline"
                  f" (a cycle costs {base / med:5.1f} offer+polls)")
    for (bench, policy, size), pct in sorted(sample.items(), key=lambda kv: (kv[0][0], kv[0][2], str(kv[0][1]))):
        base = sample.get(("PriorityQueueBaselineBench.offerThenPollSample", None, size))
        if base and not bench.startswith("PriorityQueue"):
            print(f"{bench:45s} {policy or '':9s} {size:>8,d}: p50 x{pct['50.0'] / base['50.0']:5.1f}"
                  f"  p99 x{pct['99.0'] / base['99.0']:5.1f} of baseline")


if __name__ == "__main__":
    main(sys.argv[1])
