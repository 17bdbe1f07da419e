#!/usr/bin/env bash
# The listener against nginx (architecture.md, "Performance budgets": the DCS with durable event
# logging answers at least half the requests/s of nginx answering a fixed string, on the same
# machine, with the same load tool, in the same run).
#
# Usage: tests/bench/bench_listener.sh [path/to/dcs-studio]
#   default: build/bench/app/dcs-studio, a Release build:
#     cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release
#     cmake --build build/bench --target dcs-studio
#
# Needs (installs nothing, builds nothing):
#   wrk       Debian package `wrk`          (the load tool)
#   nginx     Debian package `nginx-light`  (the baseline; its system service is not used)
#   sqlite3   Debian package `sqlite3`      (optional: counts the events stored afterwards)
#
# Environment (all optional): DURATION (seconds per measured run, default 15), WARMUP (default 3),
# THREADS (wrk threads, default 2), CONNECTIONS (default 64), WORKSPACE (a workspace file the DCS
# imports before it listens, e.g. tests/bench/workspace-20-traits.json: the budget's "20 rule
# traits, 10 segments"; default none), ROUNDS (default 3: nginx and the DCS are measured in turn this
# many times, and the medians reported; this machine's speed drifts by a third within minutes, so
# one pair of runs can say 0.42x or 0.58x for the same binary).
#
# What it does, on 127.0.0.1 only: starts nginx with a temporary prefix and config (worker
# processes = cores, access_log off, one location answering the JSON the DCS answers; `reuseport`,
# so the kernel spreads wrk's connections evenly over the workers: without it one worker often
# got most of them and nginx made anywhere from 60,000 to 100,000 requests/s), starts
# dcs-studio --headless on a temporary database, warms both up, runs wrk against each, prints a
# table (requests/s, p50, p99, DCS/nginx), the DCS's own status lines from the measured run, and
# the number of events stored against the number of answers wrk counted. Everything it started
# is stopped on exit, and its temporary directory removed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=benchlib.sh
source "$(dirname "${BASH_SOURCE[0]}")/benchlib.sh"

BIN=${1:-build/bench/app/dcs-studio}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WORKSPACE=${WORKSPACE:-}
ROUNDS=${ROUNDS:-3}
DCS_PATH='/event?d_rtbd=json&c_section=sports&c_page=home&c_tags=a,b'
NGINX_PATH='/event'

die() { echo "bench_listener: $*" >&2; exit 1; }

for tool in wrk nginx; do
    command -v "$tool" >/dev/null 2>&1 \
        || die "'$tool' not found (Debian: apt-get install wrk nginx-light)"
done
[[ -x $BIN ]] || die "no executable dcs-studio at '$BIN' (build it: see the header of $0)"
BIN=$(realpath "$BIN")
CORES=$(nproc)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench_listener.XXXXXX")
NGINX_PID=
DCS_PID=
WRK_PID=

cleanup() {
    stop_pid "$WRK_PID" 2
    WRK_PID=
    stop_pid "$DCS_PID" 15
    DCS_PID=
    stop_pid "$NGINX_PID" 5
    NGINX_PID=
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the DCS ---------------------------------------------------------------------------------
mkdir -p "$WORK/dcs/home"
IMPORT=()
[[ -n $WORKSPACE ]] && IMPORT=(--import "$(realpath "$WORKSPACE")")
env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u QT_QPA_PLATFORM \
    HOME="$WORK/dcs/home" XDG_DATA_HOME="$WORK/dcs/home/data" \
    XDG_CONFIG_HOME="$WORK/dcs/home/config" XDG_CACHE_HOME="$WORK/dcs/home/cache" \
    "$BIN" --headless --listen 127.0.0.1:0 --db "$WORK/dcs/bench.sqlite" "${IMPORT[@]}" \
    >"$WORK/dcs/stdout" 2>"$WORK/dcs/stderr" &
DCS_PID=$!
line=$(wait_for_line "$WORK/dcs/stdout" '^listening on 127\.0\.0\.1:[0-9]+$' 30 "$DCS_PID") \
    || { cat "$WORK/dcs/stdout" "$WORK/dcs/stderr" >&2; die "dcs-studio did not start"; }
DCS_PORT=${line##*:}
DCS_URL="http://127.0.0.1:$DCS_PORT$DCS_PATH"

# The body nginx answers: the DCS's own answer to the same call, byte for byte in size.
if command -v curl >/dev/null 2>&1; then
    SAMPLE=$(curl -s --max-time 10 "$DCS_URL")
else
    SAMPLE='{"dcs_region":7,"stuff":[],"tid":"AAAAAAAAAAAA",'
    SAMPLE+='"uuid":"06151304227769720433039235178204449977"}'
fi
[[ $SAMPLE == *'"tid"'* ]] || die "the DCS did not answer JSON: '$SAMPLE'"

# --- nginx -----------------------------------------------------------------------------------
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
# The same Set-Cookie header the DCS sends with every answer.
COOKIE='demdex=06151304227769720433039235178204449977; Max-Age=15552000; Path=/; SameSite=None; '
COOKIE+='Secure'
start_nginx() {
    local port=$1
    cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes $CORES;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 60s;
    server {
        listen 127.0.0.1:$port reuseport;
        location / {
            default_type application/json;
            add_header Set-Cookie "$COOKIE";
            add_header Cache-Control no-store;
            return 200 '$SAMPLE';
        }
    }
}
EOF
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" &
    NGINX_PID=$!
    for ((i = 0; i < 50; ++i)); do
        if ! kill -0 "$NGINX_PID" 2>/dev/null; then
            wait "$NGINX_PID" 2>/dev/null || true
            NGINX_PID=
            return 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    stop_pid "$NGINX_PID" 5
    NGINX_PID=
    return 1
}
NGINX_PORT=
for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    if start_nginx "$port"; then
        NGINX_PORT=$port
        break
    fi
done
[[ -n $NGINX_PORT ]] || { cat "$WORK/nginx/logs/error.log" >&2; die "nginx did not start"; }
NGINX_URL="http://127.0.0.1:$NGINX_PORT$NGINX_PATH"

# --- measuring -------------------------------------------------------------------------------
# Runs wrk (bounded) and saves its report as $WORK/<name>.wrk.
# In the background and waited for, so that a signal stops the script (and the trap stops wrk) at
# once rather than after the run.
run_wrk() {
    local name=$1 url=$2 seconds=$3
    timeout $((seconds + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s \
        --latency "$url" >"$WORK/$name.wrk" 2>&1 &
    WRK_PID=$!
    if ! wait "$WRK_PID"; then
        WRK_PID=
        cat "$WORK/$name.wrk" >&2
        die "wrk failed"
    fi
    WRK_PID=
}
requests_per_second() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
requests_done() { awk '/ requests in / { print $1 }' "$1"; }
non_2xx() { awk '/Non-2xx or 3xx responses:/ { n = $NF } END { print n + 0 }' "$1"; }
socket_errors() {
    awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10; found = 1 }
         END { if (!found) print 0 }' "$1"
}

CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEMORY=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
echo "machine: $CORES cores ($CPU_MODEL), $MEMORY"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "wrk:     -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency (warm-up ${WARMUP}s each)"
echo "nginx:   $(nginx -v 2>&1 | sed 's/^nginx version: //'), $CORES workers, $NGINX_URL"
echo "dcs:     $BIN, $DCS_URL"
echo "rules:   ${WORKSPACE:-none (no traits, no segments)}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

run_wrk nginx-warmup "$NGINX_URL" "$WARMUP"
run_wrk dcs-warmup "$DCS_URL" "$WARMUP"
for ((round = 1; round <= ROUNDS; ++round)); do
    run_wrk "nginx-$round" "$NGINX_URL" "$DURATION"
    STATUS_FROM=$(wc -l <"$WORK/dcs/stdout")
    run_wrk "dcs-$round" "$DCS_URL" "$DURATION"
    STATUS_UNTIL=$(wc -l <"$WORK/dcs/stdout")
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '| %-5s | %-46s | %10s | %8s | %8s | %7s |\n' "round" "server" "requests/s" "p50 ms" \
    "p99 ms" "errors"
printf '| %-5s | %-46s | %10s | %8s | %8s | %7s |\n' "---:" "---" "---:" "---:" "---:" "---:"
RATIOS=()
for ((round = 1; round <= ROUNDS; ++round)); do
    for name in nginx dcs; do
        file="$WORK/$name-$round.wrk"
        case $name in
        nginx) label="nginx, fixed JSON answer" ;;
        dcs) label="DCS /event, answer after durable commit" ;;
        esac
        printf '| %5d | %-46s | %10.0f | %8s | %8s | %7d |\n' "$round" "$label" \
            "$(requests_per_second "$file")" "$(latency_ms "$file" 50%)" \
            "$(latency_ms "$file" 99%)" $(($(non_2xx "$file") + $(socket_errors "$file")))
    done
    RATIOS+=("$(awk -v d="$(requests_per_second "$WORK/dcs-$round.wrk")" \
        -v n="$(requests_per_second "$WORK/nginx-$round.wrk")" 'BEGIN { printf "%.3f", d / n }')")
done
NGINX_RPS=$(for ((r = 1; r <= ROUNDS; ++r)); do requests_per_second "$WORK/nginx-$r.wrk"; done | median)
DCS_RPS=$(for ((r = 1; r <= ROUNDS; ++r)); do requests_per_second "$WORK/dcs-$r.wrk"; done | median)
RATIO=$(printf '%s\n' "${RATIOS[@]}" | median)
echo
echo "median of $ROUNDS rounds: nginx $(printf '%.0f' "$NGINX_RPS")/s, DCS $(printf '%.0f' "$DCS_RPS")/s"
echo "DCS/nginx requests/s per round: ${RATIOS[*]}"
printf 'DCS/nginx requests/s, median of the rounds: %.2fx (target: at least 0.50x)\n' "$RATIO"
echo "DCS answering before the commit: not measured (no command-line switch for it yet)"
echo
echo "DCS status lines during the last measured run:"
sed -n "$((STATUS_FROM + 1)),${STATUS_UNTIL}p" "$WORK/dcs/stdout" | grep '^status:' \
    | sed 's/^/  /' \
    || echo "  (none: the run was shorter than the 5 s status interval)"

# Every answered call was stored: stop the DCS cleanly (it commits what it accepted), then count.
ANSWERED=0
for name in dcs-warmup $(for ((r = 1; r <= ROUNDS; ++r)); do echo "dcs-$r"; done); do
    ANSWERED=$((ANSWERED + $(requests_done "$WORK/$name.wrk") - $(non_2xx "$WORK/$name.wrk")))
done
stop_pid "$DCS_PID" 15
DCS_PID=
grep -E '^(stopping|stopped)' "$WORK/dcs/stdout" | sed 's/^/  dcs: /' || true
if command -v sqlite3 >/dev/null 2>&1; then
    STORED=$(sqlite3 "$WORK/dcs/bench.sqlite" 'SELECT count(*) FROM events')
    echo "answered 200 (wrk, warm-up + measured): $ANSWERED; events stored: $STORED" \
        "($((STORED - ANSWERED)) more: calls still in flight when wrk stopped)"
    ((STORED >= ANSWERED)) || { echo "FEWER EVENTS STORED THAN ANSWERED" >&2; exit 1; }
else
    echo "answered 200 (wrk): $ANSWERED; events stored: not counted (no sqlite3 CLI)"
fi
