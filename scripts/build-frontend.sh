#!/bin/sh
# Rebuild the query page's editor (kg/serve/static/vendor/) from the npm registry: Yasgui, the maintained
# fork published as @zazuko/yasgui, at the version pinned below. Its built files are committed (about 1 MB),
# so a fresh clone and `make install` need no npm; run this (`make frontend`) only to change the version.
# Nothing is fetched at run time: `kg serve` serves these files itself.
set -eu
VERSION=${YASGUI_VERSION:-4.6.2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=$ROOT/kg/serve/static/vendor
command -v npm >/dev/null 2>&1 || { echo "build-frontend: npm is needed (apt-get install npm)" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
echo '{"name": "kg-frontend-build", "private": true}' > package.json
# --ignore-scripts: no package's install script runs; only the published build files are used.
npm install --silent --no-audit --no-fund --ignore-scripts "@zazuko/yasgui@$VERSION"
BUILD=node_modules/@zazuko/yasgui/build
mkdir -p "$DEST"
cp "$BUILD/yasgui.min.js" "$BUILD/yasgui.min.css" "$DEST/"
{
    echo "Yasgui $VERSION (npm: @zazuko/yasgui), MIT licence; built files copied unchanged by scripts/build-frontend.sh."
    echo "Home page: https://github.com/zazuko/Yasgui (fork of TriplyDB's Yasgui)."
    echo "Bundled dependencies and their licences:"
    (cd node_modules && for p in */package.json @*/*/package.json; do
        node -e 'const p=require("./"+process.argv[1]); console.log("  "+p.name+" "+p.version+" "+(p.license||"?"))' "$p"
    done) | sort -u
} > "$DEST/VENDOR.txt"
ls -l "$DEST"
