#!/usr/bin/env bash
# Session stores over HTTP (issue 11): GET /asm/agents/me and customer search at 1M customers,
# SQLite session store vs PostgreSQL session store, 16 and 64 connections, with wrk over loopback.
#
#   crates/asm-middleware/bench/http-stores.sh [PG_URL] [DB]
#
#   PG_URL   postgres://… of a running server (e.g. from `cargo xtask pg`); env ASM_BENCH_PG.
#            Empty: only the SQLite store is measured.
#   DB       the shop's SQLite file (env ASM_BENCH_DB, default /tmp/bench1m.sqlite). Seeded with
#            CUSTOMERS customers on the first start (~2–3 min for 1M), reused afterwards. The shop
#            is this file in every run; only the session store differs.
#
# Other settings (env): CUSTOMERS (1000000), CONNS ("16 64"), DURATION (15s), THREADS (2),
# STORES ("sqlite pg": which stores to measure), REPEAT (2: runs per cell; the table shows the best by requests/s and the spread),
# PG_POOLS ("16 64": one PostgreSQL configuration per --store-pool value), BIN
# (target/server/asm-middleware; built with `cargo build -p asm-middleware --profile server`
# when missing), OUT (a folder for the raw wrk outputs and middleware logs; default a temp dir).
#
# Everything listens on and talks to 127.0.0.1 only. Every middleware the script starts is
# stopped on every exit path (trap); the PostgreSQL server is the caller's and is left running.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
PG_URL=${1:-${ASM_BENCH_PG:-}}
DB=${2:-${ASM_BENCH_DB:-/tmp/bench1m.sqlite}}
CUSTOMERS=${CUSTOMERS:-1000000}
CONNS=${CONNS:-16 64}
DURATION=${DURATION:-15s}
THREADS=${THREADS:-2}
REPEAT=${REPEAT:-2}
PG_POOLS=${PG_POOLS:-16 64}
STORES=${STORES:-sqlite pg}
BIN=${BIN:-$root/target/server/asm-middleware}
OUT=${OUT:-$(mktemp -d /tmp/http-stores.XXXXXX)}
LUA=$here/http-stores.lua
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }
if [[ ! -x $BIN ]]; then
  (cd "$root" && cargo build -p asm-middleware --profile server)
fi

mw_pid=
wrk_pid=
stop_middleware() {
  if [[ -n $wrk_pid ]]; then kill -TERM "$wrk_pid" 2>/dev/null || true; wrk_pid=; fi
  if [[ -n $mw_pid ]] && kill -0 "$mw_pid" 2>/dev/null; then
    kill -INT "$mw_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$mw_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$mw_pid" 2>/dev/null || true
    wait "$mw_pid" 2>/dev/null || true
  fi
  mw_pid=
}
trap stop_middleware EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=
# start_middleware <label> <store> [pool]: starts it on a free port, waits until it listens.
start_middleware() {
  local label=$1 store=$2 pool=${3:-16} log="$OUT/middleware-$1.log"
  "$BIN" --listen 127.0.0.1:0 --db "$DB" --customers "$CUSTOMERS" --store "$store" \
    --store-pool "$pool" --idle-timeout 36000 --dist "$OUT/no-dist" >"$log" 2>&1 &
  mw_pid=$!
  port=
  for _ in $(seq 1200); do # seeding 1M customers the first time takes minutes
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" | head -1)
    [[ -n $port ]] && break
    kill -0 "$mw_pid" 2>/dev/null || { echo "middleware ($label) exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  [[ -n $port ]] || { echo "middleware ($label) did not start in 10 min" >&2; exit 1; }
}

# sign_in: prints the asm_session cookie value.
sign_in() {
  local jar="$OUT/cookies-$port"
  curl -sf -o /dev/null -c "$jar" -H 'Content-Type: application/json' -H 'X-ASM-Request: 1' \
    -H "Origin: http://127.0.0.1:$port" -d '{"username":"asagent","password":"Agent#2026"}' \
    "http://127.0.0.1:$port/asm/agents/login"
  awk '$6 == "asm_session" { print $7 }' "$jar"
}

check_200() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: asm_session=$cookie" "http://127.0.0.1:$port$1")
  [[ $code == 200 ]] || { echo "GET $1 answered $code, not 200" >&2; exit 1; }
}

rows=()
# measure <store label>: every endpoint × connections, REPEAT times each.
measure() {
  local label=$1 mode c r line best spread rps
  for mode in me search; do
    for c in $CONNS; do
      best= ; spread=
      local all=()
      for r in $(seq "$REPEAT"); do
        local raw="$OUT/wrk-$label-$mode-c$c-$r.txt"
        echo "# $(date -u +%H:%M:%S) $label $mode c=$c run $r; $(uptime | sed 's/.*load/load/')" | tee "$raw"
        wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency -H "Cookie: asm_session=$cookie" \
          -s "$LUA" "http://127.0.0.1:$port" -- "$mode" >>"$raw" 2>&1 &
        wrk_pid=$! # waited for in the background, so that a signal's trap runs at once
        wait "$wrk_pid"
        wrk_pid=
        line=$(grep '^RESULT' "$raw" | tail -1)
        [[ -n $line ]] || { echo "wrk gave no result, see $raw" >&2; exit 1; }
        echo "  $line"
        all+=("$line")
      done
      # best by requests/s; spread = the other runs' requests/s
      best=$(printf '%s\n' "${all[@]}" | sort -k2,2nr | head -1)
      spread=$(printf '%s\n' "${all[@]}" | awk '{print $2}' | sort -n | paste -sd/ -)
      read -r _ rps p50 p99 non2xx sockerr reqs <<<"$best"
      rows+=("$(printf '| %s | %s | %s | %s (%s) | %s | %s | %s / %s |' \
        "$mode" "$c" "$label" "$rps" "$spread" "$p50" "$p99" "$non2xx" "$sockerr")")
    done
  done
}

run_store() {
  local label=$1 store=$2 pool=${3:-16}
  start_middleware "$label" "$store" "$pool"
  echo "## $label: middleware on 127.0.0.1:$port ($(grep -m1 'session store' "$OUT/middleware-$label.log" || echo 'session store: SQLite'))"
  cookie=$(sign_in)
  [[ -n $cookie ]] || { echo "sign-in failed" >&2; exit 1; }
  check_200 /asm/agents/me
  check_200 "/asm/customers/search?baseSite=electronics&query=anna"
  measure "$label"
  stop_middleware
  if grep -qiE 'locked|busy|timeout|error|panic' "$OUT/middleware-$label.log"; then
    echo "  middleware log of $label mentions errors:"; grep -iE 'locked|busy|timeout|error|panic' "$OUT/middleware-$label.log" | sort | uniq -c | head
  fi
}

echo "# $(date -u '+%F %H:%M') UTC, $(nproc) cores, $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), raw output in $OUT"
if [[ " $STORES " == *" sqlite "* ]]; then run_store sqlite sqlite; fi
if [[ -n $PG_URL && " $STORES " == *" pg "* ]]; then
  if command -v psql >/dev/null; then
    echo "# $(psql "$PG_URL" -Atc 'SHOW server_version' 2>/dev/null | sed 's/^/PostgreSQL /')"
  fi
  for pool in $PG_POOLS; do
    run_store "pg-pool$pool" "$PG_URL" "$pool"
  done
fi

echo
echo "$(uptime)"
echo "| endpoint | connections | session store | req/s best (all runs) | p50 ms | p99 ms | errors non-2xx / socket |"
echo "|---|---:|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}" | sort -s -t'|' -k2,2 -k3,3n
