#!/bin/sh
# make k8s-check: install the validator's packages from the committed lock
# file (npm ci, into BUILD_DIR/k8s-check, again only when the lock file
# changes) and validate every manifest of deploy/k8s with the regions
# ConfigMap that deploy/k8s/regions.sh makes (deploy/k8s/check/validate.js).
# Also checks that kustomization.yaml lists every manifest there is.
#   deploy/k8s/check.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build}
work=$B/k8s-check
mkdir -p "$work"
if ! cmp -s deploy/k8s/check/package-lock.json "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
    cp deploy/k8s/check/package.json deploy/k8s/check/package-lock.json "$work/"
    (cd "$work" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
deploy/k8s/regions.sh > "$work/regions.yaml"
for f in deploy/k8s/*.yaml; do
    case "$f" in */kustomization.yaml | */secrets.template.yaml) continue ;; esac
    grep -qx "  - $(basename "$f")" deploy/k8s/kustomization.yaml \
        || { echo "k8s-check: kustomization.yaml does not list $(basename "$f")" >&2; exit 1; }
done
NODE_PATH=$(cd "$work" && pwd)/node_modules node deploy/k8s/check/validate.js \
    $(ls deploy/k8s/*.yaml | grep -v kustomization.yaml) "$work/regions.yaml"
# The validator must refuse what it is there to catch: a misspelt field and
# a value of the wrong type, each in a copy of a good manifest.
for broken in 's/readinessProbe:/readinesProbe:/' 's/replicas: 1$/replicas: one/'; do
    sed "$broken" deploy/k8s/referral.yaml > "$work/broken.yaml"
    if NODE_PATH=$(cd "$work" && pwd)/node_modules node deploy/k8s/check/validate.js "$work/broken.yaml" >/dev/null 2>&1; then
        echo "k8s-check: the validator accepted referral.yaml changed by $broken" >&2
        exit 1
    fi
done
echo "k8s-check: a misspelt field and a wrong type are refused"
