#!/bin/sh
# Install the headless browser the query-page tests (tests/test_serve_page.py) drive: Debian's `chromium`.
# The Python driver (Playwright) comes from PyPI through the `test` extra; it drives this system Chromium
# and never downloads a browser of its own (`playwright install` is never run).
# Idempotent: does nothing when Chromium is present. Safe to call from `make test`. Without root (or
# password-less sudo) or apt-get it says so and the browser tests skip with that reason.
set -eu
for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then
        echo "install-browser: $b present ($(command -v "$b"))"
        exit 0
    fi
done
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get; install Chromium yourself to run the browser tests" >&2
    exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
        echo "install-browser: Chromium missing and not root; the browser tests will skip" >&2
        exit 0
    fi
fi
echo "install-browser: installing chromium (apt)"
# apt may be locked by another install for a while: retry a few times before giving up.
tries=0
until $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
          chromium fonts-dejavu-core >/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then
        echo "install-browser: apt-get install chromium failed; the browser tests will skip" >&2
        exit 0
    fi
    sleep 30
done
echo "install-browser: chromium installed ($(command -v chromium))"
