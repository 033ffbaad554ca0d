#!/usr/bin/env bash
# The sample store the before/after scripts compare: the bundled examples plus the real files of
# ../shared/data, ingested with text mining and no validation at ingest (records that fail the shapes are
# stored too; bad records are part of the data). Used by export-fingerprint.sh and validate-reports.sh.
#   scripts/sample-store.sh STORE [SHARED_DATA]
set -euo pipefail
store=${1:?usage: scripts/sample-store.sh STORE [SHARED_DATA]}
shared=${2:-../shared/data}
cd "$(dirname "$0")/.."
inputs=(examples/)
for f in tipplerow-pubmed fatcat/pubmedsample_2019.xml.gz biopython/Entrez seed; do
  [ -e "$shared/$f" ] && inputs+=("$shared/$f")
done
.venv/bin/kg ingest --store "$store" --no-validate "${inputs[@]}" > /dev/null 2>&1 || true
