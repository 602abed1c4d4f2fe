#!/bin/sh
# make openapi-lint: install Spectral from the committed lock file (npm ci,
# into BUILD_DIR/openapi-lint, again only when the lock file changes), write
# the document the gateway serves (gateway --openapi) and lint it with the
# OpenAPI rules of tools/openapi-lint/.spectral.yaml: any warning fails.
# Then the linter must refuse what it is there to catch: the document with
# one operation's tags removed.
#   tools/openapi-lint/run.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build}
work=$B/openapi-lint
mkdir -p "$work"
if ! cmp -s tools/openapi-lint/package-lock.json "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
    cp tools/openapi-lint/package.json tools/openapi-lint/package-lock.json "$work/"
    (cd "$work" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
spectral="$work/node_modules/.bin/spectral"
"$B/bin/gateway" --openapi > "$work/openapi.json"
"$spectral" lint --fail-severity=warn --ruleset tools/openapi-lint/.spectral.yaml "$work/openapi.json"
python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
del doc["paths"]["/v1/referrals"]["post"]["tags"]
json.dump(doc, open(sys.argv[2], "w"))' "$work/openapi.json" "$work/broken.json"
if "$spectral" lint --fail-severity=warn --ruleset tools/openapi-lint/.spectral.yaml "$work/broken.json" >/dev/null 2>&1; then
    echo "openapi-lint: the linter accepted an operation without tags" >&2
    exit 1
fi
echo "openapi-lint: an operation without tags is refused"
