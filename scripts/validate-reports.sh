#!/usr/bin/env bash
# Refactors of validation keep behaviour: ingest the examples and the real files of ../shared/data (text mining
# on, no validation at ingest, so the records that fail the shapes are stored too), load the MeSH sample
# vocabulary (for the allowable-qualifier check), then write `kg validate`'s text, JSON and Turtle reports
# and exit code into OUT_DIR. Run before and after a change and compare: `diff -r before/ after/`.
#   scripts/validate-reports.sh OUT_DIR [SHARED_DATA]      (ENGINE=pyshacl for the reference engine)
set -euo pipefail
out=${1:?usage: scripts/validate-reports.sh OUT_DIR [SHARED_DATA]}
shared=$(cd "${2:-../shared/data}" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
store=$(mktemp -d)/store
trap 'rm -rf "$(dirname "$store")"' EXIT
bash scripts/sample-store.sh "$store" "$shared"
[ -e "$shared/hhs-meshrdf/samples.nt" ] && .venv/bin/kg mesh load --store "$store" "$shared/hhs-meshrdf/samples.nt" > /dev/null 2>&1
engine=()
[ -n "${ENGINE:-}" ] && engine=(--engine "$ENGINE")
for fmt in text json ttl; do
  rc=0
  .venv/bin/kg validate --store "$store" --format "$fmt" "${engine[@]}" > "$out/report.$fmt" || rc=$?
  echo "$rc" > "$out/exit.$fmt"
done
head -1 "$out/report.text"
