#!/usr/bin/env bash
# Usage: scripts/fetch-debian-kernels.sh amd64|arm64
#
# Downloads the current Debian bookworm kernel package for ARCH (the version the metapackage
# linux-image-ARCH depends on) and extracts it with dpkg-deb into
#   .cache/debian/ARCH/linux-image-VERSION-ARCH/
# The last line on stdout is that directory (absolute); progress goes to stderr.
#
# Idempotent: an already extracted package is reused. apt runs with the private state of
# scripts/lib/debian-apt.sh, so the host's apt and dpkg configuration are never touched.
# Offline, the newest package extracted earlier is printed instead; with none, exit status 2.
set -euo pipefail

arch="${1:-}"
case "$arch" in
  amd64 | arm64) ;;
  *)
    echo "usage: $0 amd64|arm64" >&2
    exit 64
    ;;
esac

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$repo/.cache/debian"
out_dir="$cache/$arch"
mkdir -p "$out_dir"

log() { echo "fetch-debian-kernels: $*" >&2; }

# Test files run in parallel and may all ask at once: one at a time shares the apt state safely.
exec 9>"$cache/.lock"
flock -w 900 9 || { log "timed out waiting for another fetch-debian-kernels.sh"; exit 75; }

# shellcheck source=scripts/lib/debian-apt.sh
. "$repo/scripts/lib/debian-apt.sh"

newest_cached() {
  find "$out_dir" -mindepth 1 -maxdepth 1 -type d -name "linux-image-*-$arch" -exec test -e '{}/.complete' ';' -print 2>/dev/null |
    sort -V | tail -n1
}

offline_fallback() {
  local cached
  cached="$(newest_cached)"
  if [ -n "$cached" ]; then
    log "$1; using the kernel extracted earlier"
    echo "$cached"
    exit 0
  fi
  log "$1 and nothing is cached"
  exit 2
}

debian_apt_setup

pkg="$(apt-cache "${apt_opts[@]}" depends "linux-image-$arch:$arch" 2>/dev/null |
  sed -n "s/^[[:space:]]*Depends:[[:space:]]*\(linux-image-[0-9][^:[:space:]]*-$arch\)\(:$arch\)\?$/\1/p" |
  sort -V | tail -n1)" || true
[ -n "$pkg" ] || offline_fallback "cannot resolve linux-image-$arch from the archive"

dest="$out_dir/$pkg"
if [ -e "$dest/.complete" ]; then
  echo "$dest"
  exit 0
fi

debs="$out_dir/debs"
mkdir -p "$debs"
deb="$(find "$debs" -maxdepth 1 -name "${pkg}_*_$arch.deb" | sort -V | tail -n1)"
if [ -z "$deb" ]; then
  log "downloading $pkg:$arch"
  (cd "$debs" && apt-get "${apt_opts[@]}" -qq download "$pkg:$arch" >&2) || offline_fallback "download of $pkg failed"
  deb="$(find "$debs" -maxdepth 1 -name "${pkg}_*_$arch.deb" | sort -V | tail -n1)"
  [ -n "$deb" ] || offline_fallback "download of $pkg left no .deb"
fi

log "extracting $(basename "$deb")"
tmp="$dest.tmp.$$"
rm -rf "$tmp"
dpkg-deb -x "$deb" "$tmp"
rm -rf "$dest"
mv "$tmp" "$dest"
touch "$dest/.complete"
echo "$dest"
