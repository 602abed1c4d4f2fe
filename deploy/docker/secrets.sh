#!/bin/sh
# The deployment's secrets for docker-compose.yml, made once into a
# directory outside version control (deploy/docker/secrets/ by default;
# docker-compose.yml reads KW_SECRETS_DIR). A file that exists is kept, so a
# second run changes nothing and a new entry in the table below is added by
# the same run. Each file is one secret, mounted by compose into only the
# containers that need it.
#   deploy/docker/secrets.sh [DIR]
# The table: a name and the kind of value. A ZeroMQ CURVE key pair per
# program will be one more kind (the pair from zmq_curve_keypair, written as
# <name>.key and <name>.pub) and one line per program.
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-${KW_SECRETS_DIR:-deploy/docker/secrets}}

SECRETS="
jwt_secret          random
pg_superuser        random
db_owner            random
db_audit_reader     random
db_referral         random
db_eligibility      random
db_assignment       random
db_scheduling       random
db_notification     random
"

# 32 random bytes, URL-safe base64 without padding: no ':' or '\' (pgpass).
random_value() {
    head -c 32 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'
}

umask 077
mkdir -p "$dir"
chmod 0700 "$dir"
echo "$SECRETS" | while read -r name kind; do
    [ -n "$name" ] || continue
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
