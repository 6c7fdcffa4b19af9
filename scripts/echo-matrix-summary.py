#!/usr/bin/env python3
"""Summarises an echo matrix (scripts/echo-matrix.sh output): ours/baseline per cell, and for the many-connection
ping-pong fib(24) cells the best ratio a server with no overhead beyond the work could reach (docs/benchmarks.md).
Usage: python3 scripts/echo-matrix-summary.py [artifacts/echo-matrix.md]"""
import re
import sys
text=open(sys.argv[1] if len(sys.argv) > 1 else "artifacts/echo-matrix.md").read()
sections=re.split(r'^### ',text,flags=re.M)[1:]
print('| client | work | depth | ours / baseline (1x64, 1x4K, 100x64, 100x4K, 1000x64, 1000x4K) | cells at 1.2x or more | our CPU/msg below the baseline\'s | our p99 below |')
print('|---|---|---:|---|---:|---:|---:|')
tot=0;ok=0
for sec in sections:
    head=sec.splitlines()[0]
    m=re.match(r'client (\w+), work (\d+), depth (\d+)',head)
    rows=[l for l in sec.splitlines() if (l.startswith('| Pool reactor') or l.startswith('| .NET')) and l.count('|')>=16]
    ratios=[];cpu=0;p99=0
    for i in range(0,len(rows)-1,2):
        a=[c.strip() for c in rows[i].split('|')]; b=[c.strip() for c in rows[i+1].split('|')]
        r=float(a[11]); ratios.append(r)
        if float(a[10])<float(b[10]): cpu+=1
        if float(a[7])<float(b[7]): p99+=1
    if not ratios: continue
    n=sum(1 for r in ratios if r>=1.2); tot+=len(ratios); ok+=n
    w={'0':'0','19':'fib(19)','24':'fib(24)'}[m.group(2)]
    print(f'| {m.group(1)} | {w} | {m.group(3)} | '+', '.join(f'**{r:.2f}**' if r>=1.2 else f'{r:.2f}' for r in ratios)+f' | {n} of {len(ratios)} | {cpu} of {len(ratios)} | {p99} of {len(ratios)} |')
print(f'\ntotal: {ok} of {tot} cells at 1.2x or more')

print()
text=open(sys.argv[1] if len(sys.argv) > 1 else "artifacts/echo-matrix.md").read()
secs={}
for sec in re.split(r'^### ',text,flags=re.M)[1:]:
    m=re.match(r'client (\w+), work (\d+), depth (\d+)',sec.splitlines()[0])
    rows=[[c.strip() for c in l.split('|')] for l in sec.splitlines() if l.startswith('| .NET') and l.count('|')>=16]
    secs[(m.group(1),m.group(2),m.group(3))]=rows
print('| client | connections | size | baseline msgs/s | baseline server CPU us/msg (fib(24) / work 0) | fib CPU F | rest C | best ratio with zero overhead |')
print('|---|---:|---:|---:|---:|---:|---:|---:|')
for client in ['epoll','async']:
    w24=secs.get((client,'24','1'),[]); w0=secs.get((client,'0','1'),[])
    for a,b in zip(w24,w0):
        if int(a[2])<100: continue
        X=float(a[4]); S=float(a[10]); S0=float(b[10]); total=2e6/X; F=S-S0; C=total-S
        print(f'| {client} | {a[2]} | {a[3]} | {X:.0f} | {S:.1f} / {S0:.1f} | {F:.1f} | {C:.1f} | {total/(F+C):.2f} |')
