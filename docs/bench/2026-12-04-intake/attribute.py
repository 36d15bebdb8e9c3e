# Attributes the CPU-time samples of a JFR recording to the submit path's parts (first matching rule wins).
# Usage: python3 attribute.py recording.jfr [event] [top frames] [thread prefix] [frames per key]
import json,sys,collections,subprocess
f=sys.argv[1]; ev=sys.argv[2] if len(sys.argv)>2 else 'jdk.CPUTimeSample'
out=subprocess.run(['jfr','print','--json','--stack-depth','64','--events',ev,f],capture_output=True,text=True).stdout
data=json.loads(out)['recording']['events']
cats=[ # (category, substrings) checked from the top frame down; first frame matching any wins... we use deepest-specific by order of rules
 ('store: record JSON (Jackson)', ['StoredTaskJson.']),
 ('store: lastPerTask/coalesce', ['SqliteTaskStore.lastPerTask']),
 ('store: SQLite commit (log write + fsync)', ['SQLiteConnection.commit','JDBC3Connection.commit']),
 ('store: SQLite insert/update', ['SqliteTaskStore.put','SqliteTaskStore.write','org.sqlite.']),
 ('writer: acks (complete futures)', ['StoreWriter.run']),
 ('api: JSON parse TaskSpec', ['api.Json.read']),
 ('api: reply JSON (Jackson / by hand)', ['api.Json.write','api.Json.accepted']),
 ('api: reply to the socket (headers, writev)', ['api.Routes.write']),
 ('api: body read', ['BodyReader.read']),
 ('api: validate/send', ['Engine.send','TaskSpecValidator']),
 ('api: await answer', ['EngineAnswers.await']),
 ('api: auth, guard, limits, other', ['ApiServer','Routes.submit','Routes.','TenantLimiter','TaskAccess','RequestGuard','ReleaseClassifier','TaskSpec.with']),
 ('loop: submit', ['TaskCommands.submit']),
 ('loop: durability record', ['Durability.']),
 ('loop: dispatch/executor', ['DispatchCycle','SchedulerLoop.dispatch','SimulatedGpu','exec.sim']),
 ('loop: other', ['io.queuedeck.engine.loop.']),
 ('completion feed/callbacks', ['CompletionFeed','callback.','outbox.','metrics.']),
 ('snapshots', ['snapshot.','SnapshotAssembler']),
 ('http: jetty/javalin', ['org.eclipse.jetty','io.javalin']),
 ('virtual thread scheduling', ['VirtualThread','ForkJoinPool','LockSupport']),
]
c=collections.Counter(); thr=collections.Counter(); top=collections.Counter()
for e in data:
    v=e['values']; st=v.get('stackTrace') or {}
    frames=[fr['method']['type']['name'].replace('/','.')+'.'+fr['method']['name'] for fr in (st.get('frames') or [])]
    t=(v.get('sampledThread') or v.get('eventThread') or {}); tn=(t.get('javaName') or t.get('osName') or '?')
    import re; tn=re.sub(r'[-#]?\d+$','',tn)
    thr[tn]+=1
    cat='other'
    # deepest-to-top order matters less: pick first rule (in rule order) matching any frame
    for name,subs in cats:
        if any(any(s in fr for s in subs) for fr in frames): cat=name; break
    c[cat]+=1
    if frames: top[frames[0]]+=1
n=sum(c.values()); print('samples',n)
for k,v in c.most_common(): print(f'{v*100/n:5.1f}%  {k}')
print('-- threads'); [print(f'{v*100/n:5.1f}%  {k}') for k,v in thr.most_common(12)]
print('-- top frames'); [print(f'{v*100/n:5.1f}%  {k}') for k,v in top.most_common(int(sys.argv[3]) if len(sys.argv)>3 else 25)]
# per-thread top frames (our code or first non-JDK frame) for a given thread prefix
if len(sys.argv)>4:
    want=sys.argv[4]; cc=collections.Counter(); m=0
    for e in data:
        v=e['values']; st=v.get('stackTrace') or {}
        t=(v.get('sampledThread') or v.get('eventThread') or {}); tn=(t.get('javaName') or t.get('osName') or '?')
        if not tn.startswith(want): continue
        m+=1
        frames=[fr['method']['type']['name'].replace('/','.')+'.'+fr['method']['name'] for fr in (st.get('frames') or [])]
        key=' < '.join(frames[:int(sys.argv[5]) if len(sys.argv)>5 else 3])
        cc[key]+=1
    print('-- thread',want,m)
    for k,v in cc.most_common(30): print(f'{v*100/m:5.1f}%  {k}')
