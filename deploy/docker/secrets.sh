#!/bin/sh
# The deployment's secrets for docker-compose.yml, made once into a
# directory outside version control (deploy/docker/secrets/ by default;
# docker-compose.yml reads KW_SECRETS_DIR). A file that exists is kept, so a
# second run changes nothing and a new entry in the table below is added by
# the same run. Each file is one secret, mounted by compose into only the
# containers that need it.
#   deploy/docker/secrets.sh [DIR]
# The table: a name and the kind of value. A random value is the file
# <name>; a curve value is a program's ZeroMQ CURVE key pair (kwctl keys, from
# $KW_BIN_DIR, default build/bin), its secret curve-keys/<name>.key (mounted
# into that program alone) and its public key curve-public/<name>.pub (the
# directory every program reads its peers' keys from).
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-${KW_SECRETS_DIR:-deploy/docker/secrets}}

SECRETS="
jwt_secret          random
link_key            random
notify_callback_token random
pg_superuser        random
db_owner            random
db_audit_reader     random
db_referral         random
db_eligibility      random
db_assignment       random
db_scheduling       random
db_notification     random
bus                 curve
gateway             curve
referral            curve
eligibility         curve
assignment          curve
scheduling          curve
notification        curve
"

# 32 random bytes, URL-safe base64 without padding: no ':' or '\' (pgpass).
random_value() {
    head -c 32 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'
}

umask 077
mkdir -p "$dir"
chmod 0700 "$dir"
# A program's key pair: curve-keys/NAME.key and curve-public/NAME.pub.
curve_pair() {
    local kwctl=${KW_BIN_DIR:-build/bin}/kwctl tmp
    [ -x "$kwctl" ] || { echo "secrets: $kwctl missing (run make first)" >&2; exit 1; }
    tmp=$dir/curve-tmp
    rm -rf "$tmp"
    "$kwctl" keys "$tmp" "$1"
    mkdir -p "$dir/curve-keys" "$dir/curve-public"
    # Public keys: a directory the containers' users may list.
    chmod 0755 "$dir/curve-public"
    chmod 0444 "$tmp/$1.key" "$tmp/$1.pub"
    mv "$tmp/$1.pub" "$dir/curve-public/$1.pub"
    mv "$tmp/$1.key" "$dir/curve-keys/$1.key"
    rm -rf "$tmp"
    echo "secrets: made $dir/curve-keys/$1.key and $dir/curve-public/$1.pub" >&2
}

echo "$SECRETS" | while read -r name kind; do
    [ -n "$name" ] || continue
    if [ "$kind" = curve ]; then
        [ -s "$dir/curve-keys/$name.key" ] && [ -s "$dir/curve-public/$name.pub" ] || curve_pair "$name"
        continue
    fi
    [ -s "$dir/$name" ] && continue
    case "$kind" in
        random) random_value > "$dir/$name.tmp" ;;
        *) echo "secrets: $name: unknown kind $kind" >&2; exit 1 ;;
    esac
    # Readable inside the containers, whose users are not this one; the
    # directory (0700) keeps them from other users here.
    chmod 0444 "$dir/$name.tmp"
    mv "$dir/$name.tmp" "$dir/$name"
    echo "secrets: made $dir/$name" >&2
done
