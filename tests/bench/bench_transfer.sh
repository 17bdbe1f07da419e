#!/usr/bin/env bash
# The real-time transfer engine under load (issue 4, architecture.md "Performance budgets"):
#   A  /event with no partner                      the baseline of this run
#   B  /event with 3 live partners answering in 10 ms: throughput and visitor p50/p99 against A
#   C  /event with 1 partner that never answers (partner timeout 1 s, deadline 100 ms):
#      the visitor's p99 must stay at or under deadline + 5 ms (C2: the same partner hanging on
#      30% of calls, so its breaker stays closed and every hanging call is waited for)
#   D  one partner answering in 20 ms: the partner calls/s one DCS sustains (target >= 2,000),
#      counted by the simulator itself (/stats)
#
# Usage: tests/bench/bench_transfer.sh [build dir]
#   default build/bench, a Release build with both programs:
#     cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release
#     cmake --build build/bench --target dcs-studio dcs-partner-sim
#
# Needs: wrk (Debian `wrk`), curl. Everything listens on 127.0.0.1 and is stopped on exit.
# Environment (optional): DURATION (seconds per measured run, default 10), WARMUP (default 2),
# THREADS (wrk threads, default 2), CONNECTIONS (default 64), SIM_THREADS (default 2).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=benchlib.sh
source "$(dirname "${BASH_SOURCE[0]}")/benchlib.sh"

BUILD=${1:-build/bench}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
SIM_THREADS=${SIM_THREADS:-2}
DCS_BIN=$(realpath "$BUILD/app/dcs-studio" 2>/dev/null || true)
SIM_BIN=$(realpath "$BUILD/app/partnersim/dcs-partner-sim" 2>/dev/null || true)
QUERY='/event?d_rtbd=json&d_cts=1&c_section=sports&c_page=home'

die() { echo "bench_transfer: $*" >&2; exit 1; }
for tool in wrk curl; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (Debian: apt-get install $tool)"
done
[[ -x $DCS_BIN ]] || die "no dcs-studio in '$BUILD' (build it: see the header of $0)"
[[ -x $SIM_BIN ]] || die "no dcs-partner-sim in '$BUILD' (build it: see the header of $0)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench_transfer.XXXXXX")
PIDS=()
WRK_PID=

stop_all() {
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid" 15; done
    PIDS=()
}
cleanup() {
    stop_pid "$WRK_PID" 2
    stop_all
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a simulator with `args`; sets SIM_PORT.
start_sim() {
    local name=$1; shift
    "$SIM_BIN" --threads "$SIM_THREADS" --random-codes 50 --codes-per-visitor 2 "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err" &
    PIDS+=($!)
    local line
    line=$(wait_for_line "$WORK/$name.out" 'listening on 127\.0\.0\.1:[0-9]+$' 20 $!) \
        || { cat "$WORK/$name.err" >&2; die "dcs-partner-sim $name did not start"; }
    SIM_PORT=${line##*:}
}

# A workspace with the given partners (JSON objects, comma-separated) and onboarded traits for
# the simulators' first codes, so answers realize traits as they would in production.
write_workspace() {
    local file=$1 partners=$2
    cat >"$file" <<EOF
{"format": "dcs-studio-workspace/1",
 "settings": {"dcs_region": 7, "deadline_ms": 100},
 "partners": [$partners],
 "folders": [{"id": 1, "name": "Bench", "parent": null}],
 "traits": [
  {"sid": 1001, "name": "Sports", "type": "rule", "folder": 1, "rule": "c_section == \"sports\""},
  {"sid": 2001, "name": "P1 c1", "type": "onboarded", "folder": 1, "data_source": 1001, "rule": "ic == \"c1\""},
  {"sid": 2002, "name": "P2 c2", "type": "onboarded", "folder": 1, "data_source": 1002, "rule": "ic == \"c2\""},
  {"sid": 2003, "name": "P3 c3", "type": "onboarded", "folder": 1, "data_source": 1003, "rule": "ic == \"c3\""}],
 "segments": [
  {"sid": 5001, "name": "Sporty and P1", "folder": 1, "rule": "1001T AND 2001T", "status": "active"}]}
EOF
}
partner_json() { # name dpid port timeout
    printf '{"name": "%s", "dpid": %s, "endpoint": "http://127.0.0.1:%s/lookup", "timeout_ms": %s, "max_in_flight": 256, "mode": "live"}' \
        "$1" "$2" "$3" "$4"
}

# Starts dcs-studio --headless on a fresh database with `workspace`; sets DCS_PORT.
start_dcs() {
    local name=$1 workspace=$2
    mkdir -p "$WORK/$name/home"
    env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u QT_QPA_PLATFORM \
        HOME="$WORK/$name/home" XDG_CONFIG_HOME="$WORK/$name/home/config" \
        XDG_DATA_HOME="$WORK/$name/home/data" XDG_CACHE_HOME="$WORK/$name/home/cache" \
        "$DCS_BIN" --headless --listen 127.0.0.1:0 --db "$WORK/$name/db.sqlite" \
        --import "$workspace" >"$WORK/$name/stdout" 2>"$WORK/$name/stderr" &
    PIDS+=($!)
    local line
    line=$(wait_for_line "$WORK/$name/stdout" '^listening on 127\.0\.0\.1:[0-9]+$' 30 $!) \
        || { cat "$WORK/$name/stdout" "$WORK/$name/stderr" >&2; die "dcs-studio did not start"; }
    DCS_PORT=${line##*:}
}

run_wrk() {
    local name=$1 url=$2 seconds=$3 connections=$4
    timeout $((seconds + 30)) wrk -t"$THREADS" -c"$connections" -d"${seconds}s" --timeout 10s \
        --latency "$url" >"$WORK/$name.wrk" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || { WRK_PID=; cat "$WORK/$name.wrk" >&2; die "wrk failed"; }
    WRK_PID=
}
rps() { awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/$1.wrk"; }
errors() {
    awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
         END { print n + 0 }' "$WORK/$1.wrk"
}
sim_requests() { curl -s --max-time 5 "http://127.0.0.1:$1/stats" | sed -E 's/.*"requests":([0-9]+).*/\1/'; }

# CPU time (user + system, clock ticks) of every process this script started but wrk: the DCS
# is the last one started, the simulators the others.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
sims_ticks() {
    local total=0 pid
    for pid in "${PIDS[@]:0:${#PIDS[@]}-1}"; do total=$((total + $(cpu_ticks "$pid"))); done
    echo "$total"
}
TICKS=$(getconf CLK_TCK)

# Measures one scenario: warm-up, then the measured run; prints one table row, with the CPU
# time per answered event of the DCS and of the simulators together.
measure() {
    local name=$1 label=$2 connections=$3
    local dcs_pid=${PIDS[-1]}
    run_wrk "$name-warmup" "http://127.0.0.1:$DCS_PORT$QUERY" "$WARMUP" "$connections"
    local dcs_before sims_before
    dcs_before=$(cpu_ticks "$dcs_pid"); sims_before=$(sims_ticks)
    run_wrk "$name" "http://127.0.0.1:$DCS_PORT$QUERY" "$DURATION" "$connections"
    local dcs_cpu sims_cpu events
    dcs_cpu=$(($(cpu_ticks "$dcs_pid") - dcs_before)); sims_cpu=$(($(sims_ticks) - sims_before))
    events=$(awk '/ requests in / { print $1 }' "$WORK/$name.wrk")
    printf '| %-44s | %5s | %10s | %8s | %8s | %6s | %9s | %9s |\n' "$label" "$connections" \
        "$(rps "$name")" "$(latency_ms "$WORK/$name.wrk" 50%)" "$(latency_ms "$WORK/$name.wrk" 99%)" "$(errors "$name")" \
        "$(awk -v t="$dcs_cpu" -v n="$events" -v hz="$TICKS" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }')" \
        "$(awk -v t="$sims_cpu" -v n="$events" -v hz="$TICKS" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }')"
}

echo "machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo))"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "wrk:     -t$THREADS -d${DURATION}s --latency (warm-up ${WARMUP}s); simulators: $SIM_THREADS threads"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-44s | %5s | %10s | %8s | %8s | %6s | %9s | %9s |\n' "scenario" "conns" "events/s" \
    "p50 ms" "p99 ms" "errors" "DCS µs/ev" "sims µs/ev"
printf '| %-44s | %5s | %10s | %8s | %8s | %6s | %9s | %9s |\n' "---" "---:" "---:" "---:" "---:" \
    "---:" "---:" "---:"

# A: no partner.
write_workspace "$WORK/none.json" ""
start_dcs none "$WORK/none.json"
measure none "A: no partner" "$CONNECTIONS"
stop_all

# B: three partners at 10 ms.
start_sim p1 --latency fixed:10; P1=$SIM_PORT
start_sim p2 --latency fixed:10; P2=$SIM_PORT
start_sim p3 --latency fixed:10; P3=$SIM_PORT
write_workspace "$WORK/three.json" "$(partner_json P1 1001 "$P1" 80), $(partner_json P2 1002 "$P2" 80), $(partner_json P3 1003 "$P3" 80)"
start_dcs three "$WORK/three.json"
BEFORE=$(sim_requests "$P1")
measure three "B: 3 live partners at 10 ms" "$CONNECTIONS"
AFTER=$(sim_requests "$P1")
THREE_CALLS=$(( (AFTER - BEFORE) ))
stop_all

# C: one partner that never answers; deadline 100 ms. Its breaker opens after 20 timeouts and
# then lets 1 call in 10 through as a probe: those wait the whole deadline.
start_sim hang --fail hang=1; PH=$SIM_PORT
write_workspace "$WORK/hang.json" "$(partner_json Hangs 1001 "$PH" 1000)"
start_dcs hang "$WORK/hang.json"
measure hang "C: 1 partner never answering, deadline 100 ms" 16
stop_all

# C2: the same partner hanging on 30% of calls, under the breaker's 50% threshold: it stays
# closed and every hanging call is waited for up to the deadline.
start_sim hang30 --fail hang=0.3; PH=$SIM_PORT
write_workspace "$WORK/hang30.json" "$(partner_json Hangs 1001 "$PH" 1000)"
start_dcs hang30 "$WORK/hang30.json"
measure hang30 "C2: 1 partner hanging on 30% of calls" 16
stop_all

# D: one partner at 20 ms; its calls/s counted by the simulator.
start_sim p20 --latency fixed:20; P20=$SIM_PORT
write_workspace "$WORK/twenty.json" "$(partner_json P20 1001 "$P20" 80)"
start_dcs twenty "$WORK/twenty.json"
run_wrk twenty-warmup "http://127.0.0.1:$DCS_PORT$QUERY" "$WARMUP" 128
BEFORE=$(sim_requests "$P20")
START_NS=$(date +%s%N)
measure twenty "D: 1 partner at 20 ms" 128
END_NS=$(date +%s%N)
AFTER=$(sim_requests "$P20")
stop_all

echo
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
A=$(rps none); B=$(rps three)
echo "B against A: $(awk -v b="$B" -v a="$A" 'BEGIN { printf "%.2f", b / a }')x the events/s; P1 answered $THREE_CALLS calls in B (warm-up included)"
echo "C: visitor p99 $(latency_ms "$WORK/hang.wrk" 99%) ms, C2: $(latency_ms "$WORK/hang30.wrk" 99%) ms (budget: deadline 100 ms + 5 ms = 105 ms)"
echo "D: the partner answered $(awk -v n="$((AFTER - BEFORE))" -v ns="$((END_NS - START_NS))" 'BEGIN { printf "%.0f", n / (ns / 1e9) }') calls/s (simulator's count over the measured run; target >= 2,000)"
