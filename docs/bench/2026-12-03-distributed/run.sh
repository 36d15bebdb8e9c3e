#!/bin/sh
# One run: a fresh redis-server (no persistence) on PORT, the shared queue's submit -> claim -> ack
# from one node and from two, then redis-benchmark over the same command mix, on the same machine.
# Build first: ./mvnw -Pbench -DskipTests package -pl scheduler-engine -am
PORT=${1:-6399}
N=${2:-100000}
DIR=$(mktemp -d)
redis-server --port $PORT --save "" --appendonly no --daemonize yes --dir "$DIR" --pidfile "$DIR/r.pid" --logfile "$DIR/r.log"
sleep 1
redis-cli -p $PORT info cpu | grep used_cpu_user_main_thread
uptime
# CP: the bench jar (with target/classes first, a change of the scripts needs no repackaging)
CP=${CP:-scheduler-engine/target/queuedeck-bench.jar}
J="java -cp $CP io.queuedeck.engine.bench.SharedQueueThroughput redis://127.0.0.1:$PORT"
$J $N 1 2 100 3 2>&1 | grep -v -e INFO -e AbstractInternalLogger
redis-cli -p $PORT flushall >/dev/null
$J $N 2 2 100 3 2>&1 | grep -v -e INFO -e AbstractInternalLogger
redis-cli -p $PORT flushall >/dev/null
"$(dirname "$0")/redis-benchmark-mix.sh" $PORT $N
redis-cli -p $PORT info commandstats | grep evalsha
redis-cli -p $PORT info cpu | grep used_cpu_user_main_thread
uptime
kill "$(cat "$DIR/r.pid")"
