#!/usr/bin/env bash
# Instructions Meshy executes per proxied request, counted by callgrind (valgrind): a figure that does not
# move with the host's speed, so a change of 1-2% to the hot path shows, where CPU time on a shared
# machine moves by 10% between runs. It counts user-space instructions only: not the kernel's network
# work, not cache misses (an HTTP/2 path with hundreds of streams in flight is bound by those), so it
# tells whether a change does less work, and the load suite tells what that is worth.
#
#   bench/instructions/per-request.sh [h1|h2c|h2c-upstream] [REQUESTS] [MESHY]
#
# h1: HTTP/1.1 both ways (h2load --h1, 16 connections); h2c: h2c to an HTTP/1.1 upstream (16 connections
# x 32 streams); h2c-upstream: h2c both ways (nghttpd as the upstream). REQUESTS (default 20000) are
# counted after as many again warm the process up. MESHY: a native meshy (default: published into
# .artifacts/$MESHY_BUILD_SLOT/instructions-meshy). Needs valgrind, nghttp2-client (and nghttp2-server
# for h2c-upstream). Prints one line: "<mode> <instructions per request>".
set -euo pipefail

mode=${1:-h1}
requests=${2:-20000}
root=$(cd "$(dirname "$0")/../.." && pwd)
slot=${MESHY_BUILD_SLOT:-bench}
work=$(mktemp -d)
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

case "$mode" in h1|h2c|h2c-upstream) ;; *) echo "mode: h1, h2c or h2c-upstream" >&2; exit 2 ;; esac
for tool in valgrind callgrind_control h2load curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install valgrind nghttp2-client curl python3" >&2; exit 1; }
done
[ "$mode" != h2c-upstream ] || command -v nghttpd >/dev/null || { echo "missing nghttpd: apt-get install nghttp2-server" >&2; exit 1; }

if [ -n "${3:-}" ]; then
  meshy_source=$3
else
  meshy_source="$root/.artifacts/$slot/instructions-meshy/meshy"
  echo "publishing the native Meshy into $(dirname "$meshy_source") ..." >&2
  MESHY_BUILD_SLOT=$slot dotnet publish -c Release -r linux-x64 "$root/cli/Meshy.Cli" -o "$(dirname "$meshy_source")" --nologo -v quiet >&2
fi
# valgrind gives up on NativeAOT's separate debug file (meshy.dbg): run a copy without it.
cp "$meshy_source" "$work/meshy"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
listen_port=$(free_port); admin_port=$(free_port); upstream_port=$(free_port)

MESHY_BUILD_SLOT=$slot dotnet build -c Release "$root/bench" -v q -nologo >/dev/null
bench=(dotnet "$root/.artifacts/$slot/bin/Meshy.Bench/release/Meshy.Bench.dll")
h2c_upstream=()
if [ "$mode" = h2c-upstream ]; then
  mkdir -p "$work/www" && printf 'hello!' >"$work/www/index.html"
  nghttpd --no-tls -d "$work/www" "$upstream_port" >"$work/upstream.out" 2>&1 &
  pids+=($!)
  h2c_upstream=(--h2c-upstream)
else
  "${bench[@]}" http-upstream --port "$upstream_port" --body-size 6 >"$work/upstream.out" 2>&1 &
  pids+=($!)
fi
# The config the load suite runs Meshy with, so both measure the same proxy.
"${bench[@]}" meshy-config --listen "$listen_port" --admin "$admin_port" --upstream "127.0.0.1:$upstream_port" "${h2c_upstream[@]}" >"$work/meshy.toml"

valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" \
  "$work/meshy" run --config "$work/meshy.toml" >"$work/meshy.out" 2>&1 &
meshy_pid=$!
pids+=($meshy_pid)
url="http://127.0.0.1:$listen_port/"
for _ in $(seq 300); do
  curl -sf -o /dev/null "$url" && break
  sleep 0.2
done
curl -sf -o /dev/null "$url" || { echo "meshy under valgrind did not answer:" >&2; tail -n 20 "$work/meshy.out" "$work/upstream.out" >&2; exit 1; }

if [ "$mode" = h1 ]; then load=(h2load --h1 -c16 -t1); else load=(h2load -c16 -m32 -t1); fi
"${load[@]}" -n "$requests" "$url" >/dev/null
callgrind_control -i on "$meshy_pid" >/dev/null 2>&1
summary=$("${load[@]}" -n "$requests" "$url" | grep -E '^requests:')
callgrind_control -i off "$meshy_pid" >/dev/null 2>&1
callgrind_control -d "$meshy_pid" >/dev/null 2>&1
# The dump is written by valgrind's own thread, within seconds or a minute: wait for its last line.
for _ in $(seq 600); do
  grep -qs '^totals:' "$work"/callgrind.out.* && break
  sleep 0.1
done
succeeded=$(awk '{print $8}' <<<"$summary")
[ "$succeeded" = "$requests" ] || { echo "only $succeeded of $requests requests succeeded: $summary" >&2; exit 1; }
# The dump holds the instructions counted while instrumentation was on, every thread's.
total=$(cat "$work"/callgrind.out.* 2>/dev/null | awk '/^totals:/ {s += $2} END {printf "%d\n", s}')
[ "$total" -gt 0 ] || { echo "callgrind wrote no counts (see $work with KEEP=1)" >&2; exit 1; }
echo "$mode $((total / requests))"
