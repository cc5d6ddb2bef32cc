#!/usr/bin/env bash
# The SAP path's extra latency (issue 12): the same customer search asked of the SAP simulator
# directly (agent bearer) and through the middleware (`--commerce sapcc`, session cookie), with
# wrk over loopback, same run, same machine. The difference is the middleware's overhead per
# call (session lookup, token unsealing, the call to SAP, mapping the answer).
#
#   crates/asm-middleware/bench/sap-overhead.sh
#
# Settings (env): CONNS ("1 16"), DURATION (10s), THREADS (2), OUT (raw outputs; a temp dir),
# SIM / BIN (binaries; default target/server/{sapcc-sim,asm-middleware}, built with
# `cargo build -p asm-middleware -p sapcc-sim --profile server` when missing).
# Everything listens on 127.0.0.1 only; both servers are stopped on every exit path.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
CONNS=${CONNS:-1 16}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
SIM=${SIM:-$root/target/server/sapcc-sim}
BIN=${BIN:-$root/target/server/asm-middleware}
OUT=${OUT:-$(mktemp -d /tmp/sap-overhead.XXXXXX)}
LUA=$here/sap-overhead.lua
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
if [[ ! -x $SIM || ! -x $BIN ]]; then
  (cd "$root" && cargo build -p asm-middleware -p sapcc-sim --profile server)
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

sim_port=$(free_port); mw_port=$(free_port)
"$SIM" --listen "127.0.0.1:$sim_port" >"$OUT/sim.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$sim_port/assistedservicewebservices/customerlists?baseSite=electronics-spa"
ASM_DIST=/nonexistent "$BIN" --listen "127.0.0.1:$mw_port" --db "$OUT/store.sqlite" --commerce sapcc \
  --sapcc-url "http://127.0.0.1:$sim_port" --sapcc-client-id mobile_android --sapcc-client-secret secret \
  --token-key "$(printf '11%.0s' $(seq 32))" >"$OUT/middleware.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$mw_port/healthz"

token=$(curl -s -X POST "http://127.0.0.1:$sim_port/authorizationserver/oauth/token" \
  -d grant_type=password -d scope= -d client_id=mobile_android -d client_secret=secret \
  -d username=asagent -d password=pw4all | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
cookie=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$mw_port/asm/agents/login" \
  -H 'Content-Type: application/json' -H 'X-ASM-Request: 1' -H "Origin: http://127.0.0.1:$mw_port" \
  -d '{"username":"asagent","password":"pw4all"}' | sed -n 's/^[Ss]et-[Cc]ookie: \(asm_session=[^;]*\).*/\1/p')
[[ -n $token && -n $cookie ]] || { echo "cannot sign in" >&2; exit 1; }

printf '| path | connections | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|\n'
for c in $CONNS; do
  for target in sim middleware me; do
    case $target in
      sim) url="http://127.0.0.1:$sim_port"; hdr="Authorization: Bearer $token"; what="SAP simulator directly: ASM customer search";;
      middleware) url="http://127.0.0.1:$mw_port"; hdr="Cookie: $cookie"; what="middleware → SAP: /asm/customers/search";;
      me) url="http://127.0.0.1:$mw_port"; hdr="Cookie: $cookie"; what="middleware alone: /asm/agents/me (no SAP call)";;
    esac
    t=$(( c < THREADS ? c : THREADS ))
    line=$(wrk -t "$t" -c "$c" -d "$DURATION" --latency -H "$hdr" -s "$LUA" "$url" -- "$target" \
      | tee "$OUT/$target-$c.txt" | grep '^RESULT')
    read -r _ rps p50 p99 non2xx sock _ <<<"$line"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$what" "$c" "$rps" "$p50" "$p99" "$((non2xx + sock))"
  done
done
echo "raw outputs: $OUT" >&2
