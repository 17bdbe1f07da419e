#!/bin/sh
# Runs a command inside a private D-Bus session with an unlocked GNOME keyring (the Secret Service
# that qtkeychain talks to), in a throw-away home, so keychain tests touch no real keyring.
set -eu
for tool in dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "with-keyring.sh: $tool is missing (apt-get install dbus gnome-keyring)" >&2
        exit 1
    }
done
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config"
export XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# The test itself waits (QTRY_*) until the keyring answers.
dbus-run-session -- sh -c 'printf "dcs-test" | gnome-keyring-daemon --unlock --components=secrets \
    >/dev/null && "$@"' sh "$@"
