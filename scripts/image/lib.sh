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

apt_state="$cache/image/apt"
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_state/sources.list"
  -o "Dir::Etc::SourceParts=$apt_state/sources.list.d"
  -o "Dir::State::Lists=$apt_state/lists"
  -o "Dir::Cache=$apt_state/cache"
  -o "APT::Architectures::=amd64"
  -o "APT::Architectures::=arm64"
  -o "APT::Sandbox::User=root"
  -o "Acquire::Languages=none"
)

# The host's Debian mirrors (deb822 URIs: or one-line deb), else deb.debian.org.
host_uris() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -n -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' |
    tr ' ' '\n' | grep -E '^https?://' || true
}

# apt_setup: the private sources list and lists, refreshed at most once a day (one retry).
apt_setup() {
  mkdir -p "$apt_state/lists/partial" "$apt_state/cache/archives/partial" "$apt_state/sources.list.d"
  local mirror security keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mirror="$(host_uris | grep -v -- '-security' | grep -E '/debian/?$' | head -n1 || true)"
  security="$(host_uris | grep -E 'debian-security/?$' | head -n1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  security="${security:-http://deb.debian.org/debian-security}"
  cat >"$apt_state/sources.list" <<EOS
deb [arch=amd64,arm64 signed-by=$keyring] ${mirror%/} bookworm main
deb [arch=amd64,arm64 signed-by=$keyring] ${mirror%/} bookworm-updates main
deb [arch=amd64,arm64 signed-by=$keyring] ${security%/} bookworm-security main
EOS
  local stamp="$apt_state/lists/.updated"
  if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
    log "updating the private apt lists from $mirror"
    if apt-get "${apt_opts[@]}" -qq update >&2 || apt-get "${apt_opts[@]}" -qq update >&2; then
      touch "$stamp"
    else
      log "apt-get update failed (going on if the packages still resolve)"
    fi
  fi
}

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
