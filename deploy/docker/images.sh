#!/bin/sh
# make images: every image of docker-compose.yml, with no registry.
#   kw-base:bookworm    Debian 12 minbase from debootstrap (deploy/rootfs.sh)
#                       through docker import; made once and kept
#   kw-runtime, kw-bus, kw-gateway, kw-referral, kw-eligibility,
#   kw-assignment, kw-scheduling, kw-notification, kw-kwctl
#                       deploy/docker/Dockerfile
#   kw-postgres         deploy/docker/postgres.Dockerfile
#   kw-mail             deploy/docker/mail.Dockerfile
# then the compose secrets (deploy/docker/secrets.sh) when they are missing.
# Prints each image's size and the time taken. The replaced versions of
# these tags are removed; nothing else is.
#   deploy/docker/images.sh [BUILD_DIR]      (the root tar file is cached there)
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build}
PROGRAMS="bus gateway referral eligibility assignment scheduling notification"
# The classic builder: BuildKit needs a plugin these machines may not have.
export DOCKER_BUILDKIT=0
start=$(date +%s)
log=$B/images.log
mkdir -p "$B"
: > "$log"

if ! docker image inspect kw-base:bookworm >/dev/null 2>&1; then
    deploy/rootfs.sh "$B/rootfs/bookworm.tar"
    docker import -m "Debian 12 minbase from debootstrap" -c 'CMD ["/bin/bash"]' \
        "$B/rootfs/bookworm.tar" kw-base:bookworm >/dev/null
    echo "images: kw-base:bookworm imported from $B/rootfs/bookworm.tar" >&2
fi

# build TAG DOCKERFILE [TARGET [BUILD OPTIONS...]]
build() {
    tag=$1 file=$2 target=${3:-}
    shift 2
    [ $# -gt 0 ] && shift
    old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
    if ! docker build -f "$file" ${target:+--target "$target"} "$@" -t "$tag" . >>"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "images: building $tag failed (log: $log)" >&2
        exit 1
    fi
    new=$(docker image inspect -f '{{.Id}}' "$tag")
    if [ -n "$old" ] && [ "$old" != "$new" ]; then
        docker rmi "$old" >/dev/null 2>&1 || true
    fi
}

build kw-runtime:latest deploy/docker/Dockerfile runtime
for p in $PROGRAMS; do
    build "kw-$p:latest" deploy/docker/Dockerfile program --build-arg "PROGRAM=$p"
done
build kw-kwctl:latest deploy/docker/Dockerfile kwctl
build kw-postgres:latest deploy/docker/postgres.Dockerfile
build kw-mail:latest deploy/docker/mail.Dockerfile
deploy/docker/secrets.sh

for tag in kw-runtime kw-postgres kw-mail; do
    size=$(docker image inspect -f '{{.Size}}' "$tag:latest")
    echo "images: $tag $((size / 1000000)) MB" >&2
done
echo "images: built in $(( $(date +%s) - start )) s" >&2
