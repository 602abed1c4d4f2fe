#!/bin/sh
# A minimal Debian 12 (bookworm) root file system as a tar file, made with
# debootstrap --variant=minbase from Debian's archive and kept for later
# runs: the new machine of `make fresh-check` and the base of the container
# images (docker import). Needs root; installs debootstrap when it is missing.
#   deploy/rootfs.sh OUT.tar     make OUT.tar unless it is already there
# KW_DEBIAN_MIRROR: the archive (default http://deb.debian.org/debian).
set -eu

out=${1:?usage: deploy/rootfs.sh OUT.tar}
[ -s "$out" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "rootfs: debootstrap needs root" >&2
    exit 1
fi
mirror=${KW_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if ! command -v debootstrap >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
fi
mkdir -p "$(dirname "$out")"
dir=$(mktemp -d "$(dirname "$out")/rootfs.XXXXXX")
trap 'rm -rf "$dir"' EXIT
echo "rootfs: debootstrap bookworm into $dir" >&2
debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1 \
    || { tail -n 20 "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
cat > "$dir/etc/apt/sources.list" <<LIST
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
LIST
rm -rf "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*
# The root directory of the tar file is mktemp's, 0700: a root file system's
# is 0755, or no other user (postgres, _apt) could reach anything in it.
chmod 0755 "$dir"
tar -C "$dir" --numeric-owner -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "rootfs: $out" >&2
