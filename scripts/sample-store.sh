#!/usr/bin/env bash
# The sample store the before/after scripts compare: the bundled examples plus the real files of
# ../shared/data, ingested with text mining and no validation at ingest (records that fail the shapes are
# stored too; bad records are part of the data). Used by export-fingerprint.sh and validate-reports.sh.
#   scripts/sample-store.sh STORE [SHARED_DATA]
# KG_SAMPLE_ALL=1: every file of SHARED_DATA (the folder is walked; files of no format kg reads are skipped,
# bad records are rejected as usual) instead of the four sets below. KG_SAMPLE_NLP=0: ingest with --no-nlp.
# Both pass through export-fingerprint.sh, e.g. `KG_SAMPLE_ALL=1 KG_SAMPLE_NLP=0 scripts/export-fingerprint.sh OUT`.
set -euo pipefail
store=${1:?usage: scripts/sample-store.sh STORE [SHARED_DATA]}
shared=${2:-../shared/data}
cd "$(dirname "$0")/.."
inputs=(examples/)
if [ "${KG_SAMPLE_ALL:-0}" = 1 ]; then
  inputs+=("$shared")
else
  for f in tipplerow-pubmed fatcat/pubmedsample_2019.xml.gz biopython/Entrez seed; do
    [ -e "$shared/$f" ] && inputs+=("$shared/$f")
  done
fi
nlp=(); [ "${KG_SAMPLE_NLP:-1}" = 0 ] && nlp=(--no-nlp)
.venv/bin/kg ingest --store "$store" --no-validate "${nlp[@]}" "${inputs[@]}" > /dev/null 2>&1 || true
