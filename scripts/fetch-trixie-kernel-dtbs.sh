#!/usr/bin/env bash
# Usage: scripts/fetch-trixie-kernel-dtbs.sh
#
# For the overlay engine's parity test (test/platform/fdt-overlay.test.ts), from Debian 13 (trixie):
#  - the current arm64 kernel package (the version the metapackage linux-image-arm64 depends on),
#    of which only the device trees (usr/lib/linux-image-*/) are extracted, into
#      .cache/debian/trixie-dtbs/
#    trixie's kernel ships far more overlays (.dtbo) than bookworm's;
#  - libfdt1 for this machine's architecture, of which only libfdt.so.1* is extracted, into
#      .cache/debian/trixie-libfdt/
#    bookworm's fdtoverlay run with LD_LIBRARY_PATH there applies overlays with libfdt 1.7.2,
#    which (since 1.7.1) keeps a base node's phandle that bookworm's libfdt 1.6.1 overwrites.
# Prints `dtbs=DIR` and `libfdt=DIR` (absolute) on stdout; progress goes to stderr.
#
# Idempotent: what the current packages hold is reused once extracted. apt runs with its own
# private state under .cache/debian/trixie-apt, so neither the host's apt nor the bookworm state
# of scripts/lib/debian-apt.sh is touched. Offline, what was extracted earlier is printed
# instead; with nothing, exit status 2.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$repo/.cache/debian"
state="$cache/trixie-apt"
dtbs_dest="$cache/trixie-dtbs"
libfdt_dest="$cache/trixie-libfdt"
host_arch="$(dpkg --print-architecture)"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/sources.list.d" "$state/debs"

log() { echo "fetch-trixie-kernel-dtbs: $*" >&2; }

exec 9>"$state/.lock"
flock -w 900 9 || { log "timed out waiting for another fetch-trixie-kernel-dtbs.sh"; exit 75; }

# Only for host_uris (the host's mirrors): its bookworm apt state is not used, and
# apt_opts, which it sets, is set anew below.
# shellcheck source=scripts/lib/debian-apt.sh
. "$repo/scripts/lib/debian-apt.sh"
apt_opts=(
  -o "Dir::Etc::SourceList=$state/sources.list"
  -o "Dir::Etc::SourceParts=$state/sources.list.d"
  -o "Dir::State::Lists=$state/lists"
  -o "Dir::Cache=$state/cache"
  -o "APT::Architectures::=arm64"
  -o "APT::Architectures::=$host_arch"
  -o "APT::Sandbox::User=root"
  -o "Acquire::Languages=none"
)

print_dirs() {
  echo "dtbs=$dtbs_dest"
  echo "libfdt=$libfdt_dest"
}

offline_fallback() {
  if [ -e "$dtbs_dest/.complete" ] && [ -e "$libfdt_dest/.complete" ]; then
    log "$1; using $(cat "$dtbs_dest/.complete") and $(cat "$libfdt_dest/.complete") extracted earlier"
    print_dirs
    exit 0
  fi
  log "$1 and nothing is cached"
  exit 2
}

mirror="$(host_uris | grep -v -- '-security' | grep -E '/debian/?$' | head -n1 || true)"
mirror="${mirror:-http://deb.debian.org/debian}"
echo "deb [arch=arm64,$host_arch signed-by=$keyring] ${mirror%/} trixie main" >"$state/sources.list"

# At most once a day; a mirror caught mid-sync gets one retry.
refresh_lists() {
  local stamp="$state/lists/.updated-$host_arch" attempt
  [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ] || return 0
  log "updating the private trixie apt lists from $mirror"
  for attempt in 1 2; do
    apt-get "${apt_opts[@]}" -qq update >&2 && touch "$stamp" && return 0
    log "apt-get update failed (attempt $attempt)"
  done
  log "going on in case the packages still resolve"
}
refresh_lists

kernel="$(apt-cache "${apt_opts[@]}" depends "linux-image-arm64:arm64" 2>/dev/null |
  sed -n 's/^[[:space:]]*Depends:[[:space:]]*\(linux-image-[0-9][^:[:space:]]*-arm64\)\(:arm64\)\?$/\1/p' |
  sort -V | tail -n1)" || true
[ -n "$kernel" ] || offline_fallback "cannot resolve trixie's linux-image-arm64 from the archive"
libfdt_version="$(apt-cache "${apt_opts[@]}" show "libfdt1:$host_arch" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n1)" || true
[ -n "$libfdt_version" ] || offline_fallback "cannot resolve trixie's libfdt1 from the archive"

# download PACKAGE:ARCH: sets $deb to its .deb, fetched into $state/debs unless already there.
download() {
  local name="${1%%:*}" arch="${1##*:}"
  deb="$(find "$state/debs" -maxdepth 1 -name "${name}_*_$arch.deb" | sort -V | tail -n1)"
  if [ -z "$deb" ]; then
    log "downloading $1 (trixie)"
    (cd "$state/debs" && apt-get "${apt_opts[@]}" -qq download "$1" >&2) || offline_fallback "download of $1 failed"
    deb="$(find "$state/debs" -maxdepth 1 -name "${name}_*_$arch.deb" | sort -V | tail -n1)"
    [ -n "$deb" ] || offline_fallback "download of $1 left no .deb"
  fi
}

# extract PATTERN DEST STAMP: the files of $deb matching the tar PATTERN, all in one directory
# under usr/lib/, which becomes DEST, with STAMP in DEST/.complete.
extract() {
  local pattern="$1" dest="$2" tmp="$2.tmp.$$" dir
  log "extracting $pattern from $(basename "$deb")"
  rm -rf "$tmp"
  mkdir -p "$tmp/pkg"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/pkg" --wildcards "$pattern"
  dir="$(find "$tmp/pkg/usr/lib" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n1)"
  [ -n "$dir" ] || { rm -rf "$tmp"; log "$(basename "$deb") has nothing matching $pattern"; exit 1; }
  mv "$dir" "$tmp/out"
  echo "$3" >"$tmp/out/.complete"
  rm -rf "$dest"
  mv "$tmp/out" "$dest"
  rm -rf "$tmp"
}

if ! [ -e "$dtbs_dest/.complete" ] || [ "$(cat "$dtbs_dest/.complete")" != "$kernel" ]; then
  download "$kernel:arm64"
  # Only the device trees: the modules would be ~100 MiB more on disk for nothing.
  extract './usr/lib/linux-image-*' "$dtbs_dest" "$kernel"
fi
if ! [ -e "$libfdt_dest/.complete" ] || [ "$(cat "$libfdt_dest/.complete")" != "libfdt1 $libfdt_version" ]; then
  download "libfdt1:$host_arch"
  extract './usr/lib/*/libfdt.so.1*' "$libfdt_dest" "libfdt1 $libfdt_version"
fi
# A .deb is only needed until what it holds is out.
find "$state/debs" -maxdepth 1 -name '*.deb' -delete
print_dirs
