#!/usr/bin/env bash
# `kg convert` keeps its shards' content: convert INPUTS with the current tree (a fixed SOURCE_DATE_EPOCH, so
# the generation time is the same in every run) and list each shard with the SHA-256 and line count of its
# *gunzipped* bytes (the compressed bytes may differ: gzip level and library are free, the N-Quads are not),
# then the totals the run printed. Run it before and after a change and compare: `diff before.txt after.txt`.
#   scripts/shard-fingerprint.sh OUT.txt INPUT...    (e.g. .bench/synthetic-30000.xml.gz ../shared/data)
set -euo pipefail
out=${1:?usage: scripts/shard-fingerprint.sh OUT.txt INPUT...}
shift
[ $# -gt 0 ] || { echo "give at least one input file or folder" >&2; exit 2; }
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
SOURCE_DATE_EPOCH=1700000000 .venv/bin/kg convert "$@" -o "$work/shards" --jobs "${JOBS:-1}" \
  > "$work/log" 2>&1 || true
{
  for s in $(cd "$work/shards" && ls *.nq.gz 2>/dev/null | LC_ALL=C sort); do
    printf '%s %s %s\n' "$s" "$(gzip -dc "$work/shards/$s" | sha256sum | cut -d' ' -f1)" \
      "$(gzip -dc "$work/shards/$s" | wc -l)"
  done
  grep -E 'files converted' "$work/log" || true
} > "$out"
wc -l < "$out"
