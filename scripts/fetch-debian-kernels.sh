#!/usr/bin/env bash
# Usage: scripts/fetch-debian-kernels.sh amd64|arm64
#
# Downloads the current Debian bookworm kernel package for ARCH (the version the metapackage
# linux-image-ARCH depends on) and extracts it with dpkg-deb into
#   .cache/debian/ARCH/linux-image-VERSION-ARCH/
# The last line on stdout is that directory (absolute); progress goes to stderr.
#
# Idempotent: an already extracted package is reused. apt runs with a private state under
# .cache/debian/apt (its own sources list, lists and cache), so the host's apt and dpkg
# configuration are never touched and foreign architectures need no `dpkg --add-architecture`.
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
apt_state="$cache/apt"
out_dir="$cache/$arch"
mkdir -p "$apt_state/lists/partial" "$apt_state/cache/archives/partial" "$apt_state/sources.list.d" "$out_dir"

log() { echo "fetch-debian-kernels: $*" >&2; }

# Test files run in parallel and may all ask at once: one at a time shares the apt state safely.
exec 9>"$cache/.lock"
flock -w 900 9 || { log "timed out waiting for another fetch-debian-kernels.sh"; exit 75; }

# The host's mirrors (deb822 `URIs:` or one-line `deb URI`), falling back to deb.debian.org.
host_uris() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -n -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' |
    tr ' ' '\n' | grep -E '^https?://' || true
}
mirror="$(host_uris | grep -v -- '-security' | grep -E '/debian/?$' | head -n1)"
security="$(host_uris | grep -E 'debian-security/?$' | head -n1)"
mirror="${mirror:-http://deb.debian.org/debian}"
security="${security:-http://deb.debian.org/debian-security}"

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$apt_state/sources.list" <<EOF
deb [arch=amd64,arm64 signed-by=$keyring] ${mirror%/} bookworm main
deb [arch=amd64,arm64 signed-by=$keyring] ${mirror%/} bookworm-updates main
deb [arch=amd64,arm64 signed-by=$keyring] ${security%/} bookworm-security main
EOF

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

# Refresh the indexes at most once a day; a mirror caught mid-sync gets one retry.
stamp="$apt_state/lists/.updated"
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
  log "updating the private apt lists from $mirror"
  if apt-get "${apt_opts[@]}" -qq update >&2 || apt-get "${apt_opts[@]}" -qq update >&2; then
    touch "$stamp"
  else
    log "apt-get update failed (going on if the packages still resolve)"
  fi
fi

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
