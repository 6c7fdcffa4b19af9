#!/usr/bin/env bash
# Our echo server with two I/O loops (--loops 2), inline (--threads 0) and with two workers (--threads 2), against
# the .NET Socket async baseline and the limit, a minimal native epoll echo server in C (bench/native/echo-epoll.c,
# one loop per core, built here with the system's cc; in the worker tables also with --workers 2, the limit of the
# hand-off): both load clients, ping-pong, work 0, fib(19) and fib(24) per message on every server; each table is
# 1/100/1,000 connections x 64 B/4 KiB, 2 s per cell, one round (ROUNDS), after a warm-up. At fib(19) the native
# servers run once more paying what .NET's fib(19) costs instead of gcc's (--native-dotnet-work), the limit for a .NET
# server. Every table also runs the native server's design written in C# (--minimal-dotnet: EchoLoad's
# MinimalEpollServer, as many loops and workers as ours), what a .NET server of that design reaches. At fib(24) perf
# also samples each server's CPU in the work, under load (--work-cpu; the column stays empty without perf). About 25
# minutes on 2 cores.
# Usage: scripts/echo-matrix-loops.sh [OUTPUT] (default artifacts/echo-matrix-loops.md)
# DEPTH=8 scripts/echo-matrix-loops.sh OUTPUT: the same matrix pipelined, 8 messages in flight per connection.
# ROUNDS=3: each cell three times, the servers alternating, the median kept (about three times as long);
# WORKS="0 19": only those tables; THREADS=2: only the tables with workers (THREADS=0: only inline); TWIN=1: a second
# copy of our server in every table (--twin), to tell the run's noise.
# Summary and chart: python3 scripts/echo-matrix-summary.py OUTPUT --svg docs/echo-matrix-loops.svg
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/echo-matrix-loops.md}
depth=${DEPTH:-1}
rounds=${ROUNDS:-1}
works=${WORKS:-0 19 24}
handlers=${THREADS:-0 2}
mkdir -p "$(dirname "$out")" artifacts
cc -O2 -pthread -o artifacts/echo-epoll bench/native/echo-epoll.c
dotnet build -c Release samples/EchoServer -v q -nologo >/dev/null
dotnet build -c Release bench/EchoLoad -v q -nologo >/dev/null
{ echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"; echo; } | tee "$out"
dotnet bench/EchoLoad/bin/Release/net10.0/EchoLoad.dll work-cost | tee -a "$out"
artifacts/echo-epoll --work-cost | tee -a "$out"
for client in epoll async; do
  for work in $works; do
    for threads in $handlers; do
      echo | tee -a "$out"
      echo "### client $client, work $work, depth $depth, loops 2, threads $threads" | tee -a "$out"
      extra=(); if [ "$work" = 24 ]; then extra=(--work-cpu); fi
      if [ "$work" = 19 ]; then extra=(--native-dotnet-work); fi
      if [ "${TWIN:-0}" = 1 ]; then extra+=(--twin); fi
      dotnet bench/EchoLoad/bin/Release/net10.0/EchoLoad.dll compare --seconds 2 --rounds "$rounds" --threads "$threads" \
        --loops 2 --client "$client" --work "$work" --depth "$depth" --native artifacts/echo-epoll --minimal-dotnet "${extra[@]}" \
        | tee -a "$out"
    done
  done
done
{ echo; echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee -a "$out"
