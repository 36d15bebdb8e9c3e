#!/bin/bash
# start the README's command with a new archive path, close the window through the window manager, time the exit
export PATH=/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH
LOG=/tmp/cpb/close2.log
DISPLAY=:73 XDG_DATA_HOME=$(mktemp -d) java $SHARE -XX:+ExitOnOutOfMemoryError -XX:+ExplicitGCInvokesConcurrent -Dqueuedeck.startTimes=true -jar /tmp/cpb/final/queuedeck-console.jar --api-port 18702 > $LOG 2>&1 &
C=$!
for t in $(seq 1 900); do grep -q "first painted frame" $LOG && break; sleep 0.1; done
sleep 3; DISPLAY=:73 wmctrl -l
K=$(date +%s%N); DISPLAY=:73 wmctrl -c QueueDeck
for t in $(seq 1 900); do kill -0 $C 2>/dev/null || break; sleep 0.1; done
echo "load $(cut -d' ' -f1 /proc/loadavg) exit after window close $(( ($(date +%s%N)-K)/1000000 )) ms alive=$(kill -0 $C 2>/dev/null && echo yes || echo no)"
ls -la /tmp/cpb/close2.jsa
kill $C 2>/dev/null
