#!/bin/sh
# Install the Debian packages the build, the tests and the local stack need.
# As root it installs what is missing with apt; otherwise it prints the
# exact command and fails. The list is what `make test` and `make run` need on
# a minimal Debian 12 (debootstrap --variant=minbase: runuser, mount and
# coreutils' env are there already); `make fresh-check` proves it.
#   deploy/install-deps.sh               the list below
#   deploy/install-deps.sh PACKAGE ...   these instead (make compose-test's
#                                        Docker, make clock-check's faketime)
# apt's package lists are fetched only when the install fails without them.
set -eu

DEFAULT_PACKAGES="make gcc clang libclang-rt-14-dev pkg-config git ca-certificates curl procps
protobuf-c-compiler libprotobuf-c-dev libzmq3-dev libuv1-dev libh2o-dev libjansson-dev
libcurl4-openssl-dev libsodium-dev libical-dev libpq-dev postgresql postgresql-client
python3 python3-icalendar python3-prometheus-client python3-zmq valgrind postfix"
PACKAGES=${*:-$DEFAULT_PACKAGES}

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "install-deps: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    # postfix is here for its smtp-source (make bench): configured as no mail
    # system, so it never starts a server.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing \
        || { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; }
else
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root: apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
