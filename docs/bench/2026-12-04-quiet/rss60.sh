#!/bin/bash
# Console run at the demo load (60 minutes unless told); samples RSS every 30 s, visits every screen every 5 min.
# usage (from the repository root, after packaging): docs/bench/2026-12-04-quiet/rss60.sh [JAR] [OUT-DIR] [SECONDS]
# JVM_OPTS adds JVM options (e.g. -Xlog:gc*:file=gc.log); the README's command is used otherwise.
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}; export PATH=$JAVA_HOME/bin:$PATH
JAR=$(realpath "${1:-app/target/queuedeck-console.jar}"); OUT=$(realpath "${2:-.}"); SECS=${3:-3600}; D=${DISPLAY_NO:-:77}
Xvfb $D -screen 0 1600x1000x24 >/dev/null 2>&1 & XV=$!; sleep 1; DISPLAY=$D openbox >/dev/null 2>&1 & OB=$!
cd /tmp; DISPLAY=$D XDG_DATA_HOME=$(mktemp -d) java -XX:SharedArchiveFile=${JAR%.jar}.jsa -XX:+AutoCreateSharedArchive -XX:+ExitOnOutOfMemoryError -XX:+ExplicitGCInvokesConcurrent $JVM_OPTS -jar $JAR --api-port 18777 > $OUT/rss60-console.log 2>&1 & C=$!
START=$(date +%s); echo "elapsed_s,rss_mb,load1" > $OUT/rss60.csv
while [ $(( $(date +%s) - START )) -lt $SECS ]; do
  E=$(( $(date +%s) - START ))
  R=$(awk '/VmRSS/{print int($2/1024)}' /proc/$C/status); L=$(cut -d' ' -f1 /proc/loadavg)
  echo "$E,$R,$L" >> $OUT/rss60.csv
  if [ $(( E % 300 )) -lt 30 ]; then for i in 1 2 3 4 5 6 7 8; do DISPLAY=$D xdotool key ctrl+$i; sleep 1; done; DISPLAY=$D xdotool key ctrl+1; fi
  sleep 30
done
grep -E 'VmRSS|RssAnon|RssFile|Threads' /proc/$C/status > $OUT/rss60-status.txt
jcmd $C GC.heap_info >> $OUT/rss60-status.txt 2>&1; jcmd $C VM.native_memory summary >> $OUT/rss60-status.txt 2>&1
awk '/^[0-9a-f]+-[0-9a-f]+ /{n=($6==""?"[anon]":$6)} /^Rss:/{r[n]+=$2} END{for(k in r) if(r[k]>4096) print int(r[k]/1024)" MB "k}' /proc/$C/smaps | sort -rn >> $OUT/rss60-status.txt
curl -s localhost:18777/v1/queues > $OUT/rss60-queues.json
DISPLAY=$D import -window root $OUT/rss60-end.png
kill $C; sleep 2; kill $OB $XV
