#!/bin/bash
# usage: ab.sh DISPLAY N "NAME|JAR|JVM FLAGS" ...: the arms alternate run by run, each on an empty data dir; RUN in the flags becomes a new name each run
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; export PATH=$JAVA_HOME/bin:$PATH
D=$1; N=$2; shift 2
Xvfb $D -screen 0 1600x1000x24 >/dev/null 2>&1 & XV=$!; sleep 1; DISPLAY=$D openbox >/dev/null 2>&1 & OB=$!; sleep 1
cd /tmp
for i in $(seq 1 $N); do
 for arm in "$@"; do
  name=${arm%%|*}; rest=${arm#*|}; jar=${rest%%|*}; flags=${rest#*|}; flags=${flags//RUN/$i-$RANDOM}
  LOG=$(mktemp); DISPLAY=$D XDG_DATA_HOME=$(mktemp -d) java -XX:+ExitOnOutOfMemoryError -XX:+ExplicitGCInvokesConcurrent $flags -Dqueuedeck.startTimes=true -jar $jar > $LOG 2>&1 & C=$!
  for t in $(seq 1 600); do grep -q "first painted frame" $LOG && break; kill -0 $C 2>/dev/null || break; sleep 0.1; done
  f=$(grep "first painted frame" $LOG | awk '{print $2, $5}')
  p=$(grep "first pulse" $LOG | awk '{print $2}')
  grep -E "startup to first|start cpu by thread" $LOG | sed 's/^/   /'
  grep -i -E "warn|error|cds|shared" $LOG | head -3 | sed 's/^/   ! /'
  sleep 3; echo "   rss_mb $(( $(grep VmRSS /proc/$C/status | awk "{print \$2}") / 1024 ))"; K=$(date +%s%N); kill $C 2>/dev/null; wait $C 2>/dev/null; echo "   exit after SIGTERM $(( ($(date +%s%N)-K)/1000000 )) ms"; cp $LOG /tmp/cpb/last-$name.log; rm -f $LOG; sleep 2
 done
done
kill $OB $XV
