#!/bin/sh
# Install the real SPARQL servers and bulk loaders the `server` tests and benchmarks run on 127.0.0.1.
# Idempotent: each step runs only when its tool is missing. Safe to call from `make test`.
#   - Oxigraph server: the `oxigraph` wheel (ships the `oxigraph` binary) into the project's .venv
#   - Virtuoso Open Source 7: Debian's virtuoso-opensource
#   - Apache Jena 4.5 (tdb2.tdbloader, run through scripts/jena): Debian's libapache-jena-java and a
#     headless Java runtime
# The Debian packages need root (or password-less sudo) and apt-get; without them a step is skipped
# with a note and the tests that need it skip.
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

# apt_install WHAT PACKAGE...: install Debian packages, or say why not and return 1.
APT_UPDATED=""
apt_install() {
    what=$1
    shift
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-servers: no apt-get; install $what yourself to run its tests" >&2
        return 1
    fi
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            echo "install-servers: $what missing and not root; its tests will skip" >&2
            return 1
        fi
    fi
    echo "install-servers: installing $what (apt: $*)"
    if [ -z "$APT_UPDATED" ]; then
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || {
        echo "install-servers: apt-get install $* failed; the $what tests will skip" >&2
        return 1
    }
}

if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
    echo "install-servers: virtuoso present ($(command -v virtuoso-t))"
elif apt_install "Virtuoso Open Source" virtuoso-opensource; then
    # Debian's package starts no daemon in a container, but stop one if its init script did.
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi
    (command -v service >/dev/null 2>&1 && $sudo service virtuoso-opensource-7 stop >/dev/null 2>&1) || true
fi

# scripts/jena --check says whether Java and every jar it puts on the class path are there.
if sh "$ROOT/scripts/jena" --check >/dev/null 2>&1; then
    echo "install-servers: jena present ($(sh "$ROOT/scripts/jena" --check 2>&1))"
else
    pkgs="libapache-jena-java"
    command -v java >/dev/null 2>&1 || pkgs="$pkgs default-jre-headless"
    # shellcheck disable=SC2086 # a list of package names
    if apt_install "Apache Jena" $pkgs; then
        sh "$ROOT/scripts/jena" --check || echo "install-servers: Jena installed but not usable; its tests will skip" >&2
    fi
fi
