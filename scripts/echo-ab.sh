#!/usr/bin/env bash
# Two or more echo servers that are already running (e.g. samples/EchoServer of two builds), measured in alternation:
# each round runs `EchoLoad load` once against each, and each run prints the server's messages/s and its CPU per
# message (utime + stime of the server process from /proc, before and after the load, over the messages), then the
# medians per server. For A/B comparisons of a change, where one run of each is within the noise.
# Usage: scripts/echo-ab.sh ROUNDS CONNECTIONS LABEL=PORT LABEL=PORT ...
# Environment: CLIENT (epoll or async, default epoll), SIZE (bytes, default 64), RUN_SECONDS (per run, default 4).
# Example: scripts/echo-ab.sh 5 100 old=7301 new=7302 (with a server of each build listening on those ports).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 3 ]; then
  sed -n '2,8p' "$0"
  exit 2
fi
rounds=$1 connections=$2
shift 2
client=${CLIENT:-epoll} size=${SIZE:-64} seconds=${RUN_SECONDS:-4}
load=bench/EchoLoad/bin/Release/net10.0/EchoLoad.dll
[ -f "$load" ] || dotnet build -c Release bench/EchoLoad -v q -nologo >/dev/null
ticks=$(getconf CLK_TCK)
cpu_ticks() { # utime + stime of a process, in clock ticks
  local fields
  read -ra fields <<<"$(sed 's/.*) //' "/proc/$1/stat")"
  echo $((fields[11] + fields[12]))
}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq "$rounds"); do
  for server in "$@"; do
    label=${server%%=*} port=${server##*=}
    pid=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    if [ -z "$pid" ]; then
      echo "nothing listens on port $port ($label)" >&2
      exit 1
    fi
    before=$(cpu_ticks "$pid")
    row=$(dotnet "$load" load --port "$port" --connections "$connections" --size "$size" --seconds "$seconds" \
      --client "$client" | grep '^| server')
    after=$(cpu_ticks "$pid")
    messages=$(echo "$row" | awk -F'|' '{gsub(/ /, "", $5); print $5}')
    cpu=$(python3 -c "print(f'{($after - $before) / $ticks * 1e6 / ($messages * $seconds):.1f}')")
    echo "round $round: $label $messages msgs/s, server CPU $cpu us/msg"
    echo "$label $messages $cpu" >>"$results"
  done
done
python3 - "$results" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, messages, cpu = line.split()
    runs.setdefault(label, []).append((float(messages), float(cpu)))
for label, values in runs.items():
    print(f"{label}: median {statistics.median(m for m, _ in values):,.0f} msgs/s, "
          f"{statistics.median(c for _, c in values):.1f} us CPU/msg over {len(values)} runs")
EOF
