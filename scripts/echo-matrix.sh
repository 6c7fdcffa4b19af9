#!/usr/bin/env bash
# The echo server's worker mode (--threads 2) against the .NET Socket async baseline over the whole matrix of
# Both load clients, ping-pong and pipelined (depth 8), work 0, fib(19) (about 20 us) and fib(24)
# (about 200 us) per message on both servers; each table is 1/100/1,000 connections x 64 B/4 KiB, 2 s per cell,
# median of 3 alternating rounds, with the servers' system calls per message (perf) and their idle CPU.
# About 17 minutes on 2 cores. Usage: scripts/echo-matrix.sh [OUTPUT] (default artifacts/echo-matrix.md)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/echo-matrix.md}
mkdir -p "$(dirname "$out")"
dotnet build -c Release samples/EchoServer -v q -nologo >/dev/null
dotnet build -c Release bench/EchoLoad -v q -nologo >/dev/null
dotnet bench/EchoLoad/bin/Release/net10.0/EchoLoad.dll work-cost | tee "$out"
for client in epoll async; do
  for work in 0 19 24; do
    for depth in 1 8; do
      echo | tee -a "$out"
      echo "### client $client, work $work, depth $depth" | tee -a "$out"
      dotnet bench/EchoLoad/bin/Release/net10.0/EchoLoad.dll compare --seconds 2 --rounds 3 --threads 2 \
        --client "$client" --work "$work" --depth "$depth" --syscalls | tee -a "$out"
    done
  done
done
