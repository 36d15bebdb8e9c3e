#!/bin/bash
# Builds: git apply docs/bench/2026-12-07c-session/async-answer.patch on a1d581d, then ./mvnw -q -DskipTests -pl scheduler-engine package; JAR=that jar
# threads.sh async|sync endpoint secs : per-thread CPU (us per request) during one wrk round
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
mode=$1; ep=${2:-v1/tasks}; d=${3:-15}
port=$((19000 + RANDOM % 500)); data=$(mktemp -d)
props=""; [ $mode = async ] && props="-Dqd.async=true"
XDG_DATA_HOME=$data $J $props $EXTRA -XX:+ExitOnOutOfMemoryError -jar ${JAR:-${JAR:?the jar built with async-answer.patch}} serve --port $port --threads=virtual --max-queued 10000000 --bench-baseline > $data/log 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
L=/work/main/scheduler-engine/src/bench/wrk/intake.lua
wrk -t1 -c16 -d5s -s $L http://127.0.0.1:$port/$ep >/dev/null
wrk -t1 -c16 -d5s -s $L http://127.0.0.1:$port/$ep >/dev/null
snap() { for t in /proc/$pid/task/*; do n=$(tr " " "_" < $t/comm); s=($(sed 's/.*) //' $t/stat)); echo "$n ${s[11]} ${s[12]}"; done | awk '{g=$1; gsub(/[0-9-]+$/,"",g); u[g]+=$2; s[g]+=$3} END {for (k in u) print k"\t"u[k]"\t"s[k]}' | sort; }
snap > a.txt
out=$(wrk -t1 -c16 -d${d}s -s $L http://127.0.0.1:$port/$ep)
snap > b.txt
n=$(echo "$out" | awk '/requests in/ {print $1}')
echo "$mode $ep: $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s, n=$n"
join -t$'\t' a.txt b.txt | awk -F'\t' -v n=$n -v hz=$(getconf CLK_TCK) '{u=($4-$2)/hz*1e6/n; s=($5-$3)/hz*1e6/n; if (u+s>0.5) printf "  %-28s user %6.1f sys %6.1f us/req\n", $1, u, s; tu+=u; ts+=s} END {printf "  %-28s user %6.1f sys %6.1f us/req\n", "TOTAL", tu, ts}'
kill $pid; wait $pid 2>/dev/null; rm -rf $data
