#!/bin/sh
# Where two nodes' throughput goes on this machine: a fresh redis-server (no persistence) on PORT,
# then SharedQueueThroughput alternating one node and two nodes (ROUNDS times each, every run a
# warm-up round and 2 measured rounds); each round prints tasks/s and the CPU each task cost the
# node JVM (getProcessCpuTime) and Redis (INFO cpu: used_cpu_user+sys, and its main thread).
# Build first: ./mvnw -Pbench -DskipTests package -pl scheduler-engine -am
PORT=${1:-6398}
N=${2:-100000}
ROUNDS=${3:-2}
JAR=${JAR:-scheduler-engine/target/queuedeck-bench.jar}
DIR=$(mktemp -d)
redis-server --port $PORT --save "" --appendonly no --daemonize yes --dir "$DIR" --pidfile "$DIR/r.pid" --logfile "$DIR/r.log"
until redis-cli -p $PORT ping >/dev/null 2>&1; do sleep 0.1; done
nproc; uptime
for i in $(seq 1 $ROUNDS); do
  for nodes in 1 2; do
    echo "== run $i, $nodes node(s)"
    java -cp "$JAR" io.queuedeck.engine.bench.SharedQueueThroughput redis://127.0.0.1:$PORT $N $nodes 2 100 2 2>&1 \
      | grep -v -e INFO -e AbstractInternalLogger
    redis-cli -p $PORT flushall >/dev/null
    uptime
  done
done
redis-cli -p $PORT info commandstats | grep evalsha
kill "$(cat "$DIR/r.pid")"
