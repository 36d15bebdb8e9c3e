import re,sys,collections,subprocess
f=sys.argv[1]; n=float(sys.argv[2])
out=subprocess.run(['jfr','print','--events','jdk.ThreadAllocationStatistics',f],capture_output=True,text=True).stdout
d=collections.defaultdict(list)
for e in out.split('jdk.ThreadAllocationStatistics {')[1:]:
    a=re.search(r'allocated = ([\d.]+) (\w+)',e); t=re.search(r'thread = "([^"]*)"',e)
    v=float(a.group(1))*{'bytes':1,'byte':1,'kB':1024,'MB':1<<20,'GB':1<<30}[a.group(2)]
    name=t.group(1) if t else '?'
    d[name].append(v)
groups=collections.Counter()
for k,vs in d.items():
    g=re.sub(r'\d+','#',k)
    groups[g]+=max(vs)-min(vs)
tot=sum(groups.values())
print(f'{f}: {tot/n:.0f} B/request over platform threads (virtual not counted separately)')
for g,v in groups.most_common(8): print(f'  {v/n:8.0f} B/req {g}')
