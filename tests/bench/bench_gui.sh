#!/usr/bin/env bash
# The live monitor's budget (architecture.md, "Performance budgets"): at 10,000 transfers/s the
# GUI event loop's p99 delay stays under 50 ms and memory is flat. Runs tst_guiresponsiveness
# (the window offscreen, the monitor page shown, the demo's simulated partners and visitors in
# the same process) twice in one go:
#   baseline  the demo paused: the idle window's probe delays on this machine, now
#   load      the demo at its highest rate (5,000 calls/s asked; what the DCS reaches is printed)
# and prints both runs' lines side by side.
#
# Usage: tests/bench/bench_gui.sh [build dir]   (default build/bench, a Release build:
#   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build build/bench --target tst_guiresponsiveness)
# Environment: SECONDS_PER_RUN (default 30; the first third is warm-up).
set -euo pipefail
BUILD=${1:-build/bench}
BIN=$(realpath "$BUILD/tests/ui/tst_guiresponsiveness" 2>/dev/null || true)
if [[ ! -x $BIN ]]; then
    echo "no $BUILD/tests/ui/tst_guiresponsiveness: build it first (see the header)" >&2
    exit 2
fi
SECONDS_PER_RUN=${SECONDS_PER_RUN:-30}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $SECONDS_PER_RUN s per run"
for rate in 0 5000; do
    label=$([[ $rate == 0 ]] && echo baseline || echo load)
    QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES="dcs.*.info=false" \
        DCS_RESPONSIVENESS_SECONDS=$SECONDS_PER_RUN DCS_RESPONSIVENESS_RATE=$rate \
        "$BIN" 2>&1 | sed -n "s/^QINFO  : [^)]*) responsiveness: /$label: /p; /^FAIL/p"
done
