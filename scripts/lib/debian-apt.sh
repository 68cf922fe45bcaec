# shellcheck shell=bash
# Sourced by the scripts that fetch Debian packages (kernels, the image's userland): one private
# apt state for amd64 and arm64 under .cache/debian/apt, with its own sources list, lists and
# cache, so the host's apt and dpkg are never touched and no foreign architecture is added.
# Needs $repo (the checkout) and a log function from the caller.
# shellcheck disable=SC2154

debian_apt_state="$repo/.cache/debian/apt"
apt_opts=(
  -o "Dir::Etc::SourceList=$debian_apt_state/sources.list"
  -o "Dir::Etc::SourceParts=$debian_apt_state/sources.list.d"
  -o "Dir::State::Lists=$debian_apt_state/lists"
  -o "Dir::Cache=$debian_apt_state/cache"
  -o "APT::Architectures::=amd64"
  -o "APT::Architectures::=arm64"
  -o "APT::Sandbox::User=root"
  -o "Acquire::Languages=none"
)

# The host's mirrors (deb822 `URIs:` or one-line `deb URI`).
host_uris() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -n -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' |
    tr ' ' '\n' | grep -E '^https?://' || true
}

# debian_apt_setup: writes the private sources list (the host's mirrors, else deb.debian.org) and
# refreshes the lists at most once a day; a mirror caught mid-sync gets one retry.
debian_apt_setup() {
  mkdir -p "$debian_apt_state/lists/partial" "$debian_apt_state/cache/archives/partial" "$debian_apt_state/sources.list.d"
  local mirror security keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mirror="$(host_uris | grep -v -- '-security' | grep -E '/debian/?$' | head -n1 || true)"
  security="$(host_uris | grep -E 'debian-security/?$' | head -n1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  security="${security:-http://deb.debian.org/debian-security}"
  cat >"$debian_apt_state/sources.list" <<EOS
deb [arch=amd64,arm64 signed-by=$keyring] ${mirror%/} bookworm main
deb [arch=amd64,arm64 signed-by=$keyring] ${mirror%/} bookworm-updates main
deb [arch=amd64,arm64 signed-by=$keyring] ${security%/} bookworm-security main
EOS
  local stamp="$debian_apt_state/lists/.updated"
  if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
    log "updating the private apt lists from $mirror"
    if apt-get "${apt_opts[@]}" -qq update >&2 || apt-get "${apt_opts[@]}" -qq update >&2; then
      touch "$stamp"
    else
      log "apt-get update failed (going on if the packages still resolve)"
    fi
  fi
}
