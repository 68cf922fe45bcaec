# shellcheck shell=bash
# Shared by scripts/image/*.sh (sourced): paths, arch names, and Debian packages fetched with a
# private apt state (never the host's apt or dpkg; no foreign architecture on the host).

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$repo/.cache"

log() { echo "${0##*/}: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# parse_arch ARG...: sets arch (x86_64|arm64) and debarch (amd64|arm64) from --arch X.
parse_arch() {
  arch=
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --arch) arch="${2:-}"; shift 2 || true ;;
      --arch=*) arch="${1#--arch=}"; shift ;;
      *) die "unknown argument: $1 (usage: $0 --arch x86_64|arm64)" ;;
    esac
  done
  case "$arch" in
    x86_64 | amd64) arch=x86_64 debarch=amd64 triplet=x86_64-linux-gnu ;;
    arm64 | aarch64) arch=arm64 debarch=arm64 triplet=aarch64-linux-gnu ;;
    *) die "usage: $0 --arch x86_64|arm64" ;;
  esac
  export arch debarch triplet
}

# shellcheck source=scripts/lib/debian-apt.sh
. "$repo/scripts/lib/debian-apt.sh"

# deb_extract DEBARCH PKG...: download (once) and extract (once) each package; prints one
# extracted directory per package, .cache/image/pkgs/DEBARCH/PKG_VERSION.
deb_extract() {
  local da="$1" pkg deb dir debs="$cache/image/debs/$1"
  shift
  mkdir -p "$debs" "$cache/image/pkgs/$da"
  for pkg in "$@"; do
    deb="$(find "$debs" -maxdepth 1 -name "${pkg}_*_${da}.deb" -o -maxdepth 1 -name "${pkg}_*_all.deb" | sort -V | tail -n1)"
    if [ -z "$deb" ]; then
      log "downloading $pkg:$da"
      # Arch: all packages (libaudit-common) have no :arm64 candidate.
      (cd "$debs" && { apt-get "${apt_opts[@]}" -qq download "$pkg:$da" 2>/dev/null || apt-get "${apt_opts[@]}" -qq download "$pkg"; } >&2) ||
        die "cannot download $pkg:$da"
      deb="$(find "$debs" -maxdepth 1 -name "${pkg}_*_${da}.deb" -o -maxdepth 1 -name "${pkg}_*_all.deb" | sort -V | tail -n1)"
      [ -n "$deb" ] || die "download of $pkg:$da left no .deb"
    fi
    dir="$cache/image/pkgs/$da/$(basename "$deb" .deb)"
    if [ ! -e "$dir/.complete" ]; then
      rm -rf "$dir"
      dpkg-deb -x "$deb" "$dir"
      touch "$dir/.complete"
    fi
    echo "$dir"
  done
}

# kernel_dir DEBARCH: the extracted Debian kernel package (scripts/fetch-debian-kernels.sh).
kernel_dir() {
  "$repo/scripts/fetch-debian-kernels.sh" "$1" | tail -n1
}

# newc_node NAME MODE MAJOR MINOR: one character-device entry of a newc cpio archive, written by
# hand so that /dev/console needs no mknod (no root); end the archive with newc_trailer.
newc_entry() {
  local name="$1" mode="$2" major="$3" minor="$4" namesize pad
  namesize=$((${#name} + 1))
  printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
    0 "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$namesize" 0 "$name"
  pad=$(((4 - (110 + namesize) % 4) % 4))
  head -c "$pad" /dev/zero
}
newc_dev_console() {
  newc_entry dev $((0040755)) 0 0
  newc_entry dev/console $((0020600)) 5 1
  newc_entry TRAILER!!! 0 0 0
}
