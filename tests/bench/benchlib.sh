# Shell helpers shared by the benchmark scripts (sourced; defines functions only).

# Stops a process a script started, by its id: SIGTERM, then SIGKILL after `grace` seconds.
stop_pid() {
    local pid=$1 grace=$2
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < grace * 10; ++i)); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Waits (bounded) until `file` holds a line matching `pattern`, while process `pid` lives;
# prints the match.
wait_for_line() {
    local file=$1 pattern=$2 seconds=$3 pid=$4
    for ((i = 0; i < seconds * 10; ++i)); do
        if grep -m1 -E "$pattern" "$file" 2>/dev/null; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# Latency percentile `p` (50%, 99%) in milliseconds from a `wrk --latency` report.
latency_ms() {
    awk -v p="$2" '$1 == p {
        v = $2; unit = v; sub(/^[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v);
        if (unit == "us") v /= 1000
        else if (unit == "s") v *= 1000
        else if (unit == "m") v *= 60000
        printf "%.2f", v }' "$1"
}
