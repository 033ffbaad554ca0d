#!/bin/sh
# Install the real SPARQL servers the `server` tests and benchmarks start on 127.0.0.1.
# Idempotent: each step runs only when its tool is missing. Safe to call from `make test`.
#   - Oxigraph server: the `oxigraph` wheel (ships the `oxigraph` binary) into the project's .venv
#   - Virtuoso Open Source 7: Debian's virtuoso-opensource (needs root/apt; skipped with a note otherwise)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python

if [ -x "$VENV/bin/oxigraph" ]; then
    echo "install-servers: oxigraph server present ($("$VENV/bin/oxigraph" --version 2>/dev/null || echo '?'))"
elif [ -x "$PY" ]; then
    echo "install-servers: installing the oxigraph server wheel into $VENV"
    "$PY" -m pip install --quiet 'oxigraph>=0.5,<0.6'
else
    echo "install-servers: no virtualenv at $VENV (run 'make install' first); skipping oxigraph" >&2
fi

if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
    echo "install-servers: virtuoso present ($(command -v virtuoso-t))"
elif command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
            echo "install-servers: virtuoso missing and not root; the Virtuoso tests will skip" >&2
            exit 0
        fi
    fi
    echo "install-servers: installing virtuoso-opensource (apt)"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        virtuoso-opensource >/dev/null
    # Debian's package starts no daemon in a container, but stop one if its init script did.
    (command -v service >/dev/null 2>&1 && $SUDO service virtuoso-opensource-7 stop >/dev/null 2>&1) || true
else
    echo "install-servers: no apt-get; install Virtuoso Open Source yourself to run its tests" >&2
fi
