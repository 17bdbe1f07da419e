#!/usr/bin/env bash
# shellcheck disable=SC2034  # *_PACKAGES are used by the scripts that source this file
# Shared helpers for scripts/run and scripts/test. Source it, don't execute it.
set -euo pipefail

DCS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian 12 (bookworm) package names. This is the one place that lists them.
BUILD_PACKAGES=(cmake ninja-build g++ ccache pkg-config libsqlite3-dev zlib1g-dev
                qt6-base-dev qt6-charts-dev libqt6sql6-sqlite libgl-dev libqt6opengl6-dev
                qtkeychain-qt6-dev)
RUN_PACKAGES=(qt6-qpa-plugins libqt6svg6)
TEST_PACKAGES=(xvfb xauth dbus gnome-keyring clang libclang-rt-14-dev chromium openssl)

# Progress goes to stderr so that a command's own stdout stays clean.
say() { printf '==> %s\n' "$*" >&2; }

# Prints, one per line, those of the given packages that are not installed.
missing_packages() {
    local -A installed=()
    local pkg status
    # One dpkg-query for all of them; it skips names it has never heard of (those stay missing).
    # shellcheck disable=SC2016  # ${Package} and ${Status} are dpkg-query fields
    while IFS=$'\t' read -r pkg status; do
        if [[ $status == *" ok installed" ]]; then installed[$pkg]=1; fi
    done < <(dpkg-query -W -f='${Package}\t${Status}\n' "$@" 2>/dev/null || true)
    for pkg in "$@"; do
        [[ -n ${installed[$pkg]:-} ]] || printf '%s\n' "$pkg"
    done
}

# ensure_packages PKG...: installs whichever of PKG are missing (apt-get, as root or via sudo -n).
# Does nothing, and runs no apt-get, when all are installed.
ensure_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        say "not a Debian system: skipping the package check (needed: $*)"
        return 0
    fi
    local -a missing
    mapfile -t missing < <(missing_packages "$@")
    if ((${#missing[@]} == 0)); then
        return 0
    fi

    local -a sudo=()
    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            {
                printf 'error: these Debian packages are missing: %s\n' "${missing[*]}"
                printf 'Install them (needs root), then run this again:\n'
                printf '  sudo apt-get update && sudo apt-get install -y'
                printf ' --no-install-recommends %s\n' "${missing[*]}"
            } >&2
            exit 1
        fi
    fi

    say "installing missing packages: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}" </dev/null

    mapfile -t missing < <(missing_packages "${missing[@]}")
    if ((${#missing[@]} != 0)); then
        printf 'error: still not installed after apt-get: %s\n' "${missing[*]}" >&2
        exit 1
    fi
}

# configure_and_build PRESET [TARGET...]: configures (quick when already configured) and builds
# PRESET from CMakePresets.json, in build/PRESET; all targets when none are given.
configure_and_build() {
    local preset="$1"
    shift
    local -a targets=()
    if (($# > 0)); then
        targets=(--target "$@")
    fi
    say "configuring (preset $preset)"
    (cd "$DCS_ROOT" && cmake --preset "$preset")
    say "building (preset $preset${*:+, target $*})"
    (cd "$DCS_ROOT" && cmake --build --preset "$preset" "${targets[@]}")
}
