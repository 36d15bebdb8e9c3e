#!/usr/bin/env bash
# Records JFR (settings=profile) over 10 s of wrk -t1 -c16 against one endpoint of a fresh durable serve, after an 8 s warm-up.
# Usage: alloc.sh JAR ENDPOINT OUT.jfr   (ENDPOINT: v1/tasks or bench/noop); then thread-allocation.py OUT.jfr REQUESTS
# Run from the repository root.
set -e
jar=$1; ep=$2; out=$3; port=18777
data=$(mktemp -d)
XDG_DATA_HOME=$data java -XX:+ExitOnOutOfMemoryError -jar $jar serve --port $port --threads=virtual --max-queued 10000000 --bench-baseline > $data/serve.log 2>&1 &
s=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
L=scheduler-engine/src/bench/wrk/intake.lua
wrk -t1 -c16 -d8s -s $L http://127.0.0.1:$port/$ep >/dev/null
jcmd $s JFR.start name=a settings=profile filename=$out >/dev/null
wrk -t1 -c16 -d10s -s $L http://127.0.0.1:$port/$ep | grep -E "Requests/sec|requests in"
jcmd $s JFR.stop name=a >/dev/null
kill $s; wait $s || true; rm -rf $data
