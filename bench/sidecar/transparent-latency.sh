#!/usr/bin/env bash
# Added latency of Meshy's transparent sidecar path against a direct connection, at a fixed rate.
#
#   sudo bench/sidecar/transparent-latency.sh            # RATE=1000 DURATION=10s ROUNDS=3 by default
#
# Two network namespaces joined by a veth pair: "client" (Meshy, the load generator, the iptables
# rules of `meshy iptables apply`) and "upstream" (the bench's HTTP upstream on 10.233.0.2:8080).
# The same client (`Meshy.Bench http-rate`, one keep-alive connection, open-loop schedule) GETs
# http://10.233.0.2:8080/ twice per round:
#   direct       as uid nobody, which the rules exclude (Meshy's own uid), so it is not redirected;
#   transparent  as root: nat OUTPUT redirects it to Meshy's outbound listener (auto + original_destination),
#                which sniffs HTTP, finds no route and passes the request to the original destination.
# Meshy, the upstream and the client are pinned to cores 1, 0 and 0. Needs root, iproute2 and iptables.
set -euo pipefail

RATE=${RATE:-1000}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
ROUNDS=${ROUNDS:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
slot=${MESHY_BUILD_SLOT:-bench}
artifacts="$root/.artifacts/$slot/bin"
client_ns=meshy-bench-c
upstream_ns=meshy-bench-u
work=$(mktemp -d)
chmod 755 "$work"

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces and iptables)" >&2; exit 1; }
for tool in ip iptables taskset setpriv; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install iproute2 iptables util-linux" >&2; exit 1; }
done

cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns del "$client_ns" 2>/dev/null || true
  ip netns del "$upstream_ns" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && tail -n 20 "$work"/*.out >&2
  rm -rf "$work"
}
pids=()
trap cleanup EXIT

echo "building (Release, slot $slot)..." >&2
MESHY_BUILD_SLOT=$slot dotnet build -c Release "$root/cli/Meshy.Cli" -v q -nologo >/dev/null
MESHY_BUILD_SLOT=$slot dotnet build -c Release "$root/bench" -v q -nologo >/dev/null
meshy="$artifacts/Meshy.Cli/release/meshy.dll"
bench="$artifacts/Meshy.Bench/release/Meshy.Bench.dll"

ip netns del "$client_ns" 2>/dev/null || true
ip netns del "$upstream_ns" 2>/dev/null || true
ip netns add "$client_ns"
ip netns add "$upstream_ns"
ip link add mbench-a netns "$client_ns" type veth peer name mbench-b netns "$upstream_ns"
ip -n "$client_ns" addr add 10.233.0.1/24 dev mbench-a
ip -n "$upstream_ns" addr add 10.233.0.2/24 dev mbench-b
for ns in "$client_ns" "$upstream_ns"; do ip -n "$ns" link set lo up; done
ip -n "$client_ns" link set mbench-a up
ip -n "$upstream_ns" link set mbench-b up

cat >"$work/meshy.toml" <<'TOML'
[admin]
address = "127.0.0.1:15000"

[[listeners]]
name = "outbound"
address = "127.0.0.1:15001"
protocol = "auto"
original_destination = true
routes = ["elsewhere"]         # matches no request here: every request passes through to its original destination

[[routes]]
name = "elsewhere"
hosts = ["elsewhere.invalid"]

  [[routes.rules]]
  to = [{ cluster = "elsewhere" }]

[[clusters]]
name = "elsewhere"
endpoints = [{ address = "127.0.0.1:9" }]
TOML

nobody=$(id -u nobody)
as_nobody=(setpriv --reuid="$nobody" --regid="$(id -g nobody)" --clear-groups env DOTNET_CLI_HOME="$work" HOME="$work")

ip netns exec "$upstream_ns" taskset -c 0 dotnet "$bench" http-upstream --address 10.233.0.2 --port 8080 >"$work/upstream.out" 2>&1 &
pids+=($!)
ip netns exec "$client_ns" taskset -c 1 "${as_nobody[@]}" dotnet "$meshy" run --config "$work/meshy.toml" >"$work/meshy.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  ip netns exec "$client_ns" curl -sf -o /dev/null http://127.0.0.1:15000/ready && grep -q port "$work/upstream.out" && break
  sleep 0.1
done
ip netns exec "$client_ns" curl -sf -o /dev/null http://127.0.0.1:15000/ready || { echo "meshy did not become ready:" >&2; cat "$work/meshy.out" >&2; exit 1; }
ip netns exec "$client_ns" dotnet "$meshy" iptables apply --proxy-port 15001 --proxy-uid "$nobody" >/dev/null

run() { # label, command prefix...
  local label=$1; shift
  local line
  line=$(ip netns exec "$client_ns" taskset -c 0 "$@" dotnet "$bench" http-rate --target 10.233.0.2:8080 \
    --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" | tail -n 1)
  echo "$label $line"
}

printf '%-12s %5s %9s %9s %9s %9s %6s\n' path round p50_ms p90_ms p99_ms p999_ms errors
for round in $(seq "$ROUNDS"); do
  for path in direct transparent; do
    if [ "$path" = direct ]; then out=$(run direct "${as_nobody[@]}"); else out=$(run transparent env); fi
    python3 - "$round" "$out" <<'PY'
import json, sys
label, line = sys.argv[2].split(" ", 1)
r = json.loads(line)
print(f"{label:<12} {sys.argv[1]:>5} {r['p50']:9.3f} {r['p90']:9.3f} {r['p99']:9.3f} {r['p999']:9.3f} {r['errors']:6d}")
PY
  done
done
# Proof that the transparent runs went through Meshy: its request count for the passthrough cluster.
ip netns exec "$client_ns" curl -s http://127.0.0.1:15000/metrics | grep '^istio_requests_total' | grep -o 'destination_service="[^"]*".*response_code="[0-9]*".* [0-9.e+]*$' | head -n 3 >&2 || true
