#!/usr/bin/env bash
# Refactors keep behaviour: ingest the bundled examples and real files from ../shared/data with the current
# tree, export every graph as sorted N-Quads (times of generation left out) into OUT. Run it before and after
# a change and compare: `cmp before.nq after.nq`.
#   scripts/export-fingerprint.sh OUT [SHARED_DATA]
set -euo pipefail
out=${1:?usage: scripts/export-fingerprint.sh OUT [SHARED_DATA]}
shared=${2:-../shared/data}
cd "$(dirname "$0")/.."
store=$(mktemp -d)/store
trap 'rm -rf "$(dirname "$store")"' EXIT
bash scripts/sample-store.sh "$store" "$shared"
.venv/bin/kg export --store "$store" --format nq \
  | grep -v 'generatedAtTime\|toolVersion\|invalidatedAtTime' | LC_ALL=C sort > "$out"
wc -l < "$out"
