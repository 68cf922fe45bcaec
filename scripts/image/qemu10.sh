#!/usr/bin/env bash
# Usage: scripts/image/qemu10.sh
#
# A QEMU new enough for `-M raspi4b` (Debian 12's QEMU 7.2 has no Raspberry Pi 4): Debian 13's
# QEMU 10 in a chroot of its own, never installed on the host:
#   .cache/qemu10/root/                 debootstrap --variant=minbase trixie, plus qemu-system-arm
#   .cache/qemu10/qemu-system-aarch64   a runner: takes QEMU's arguments and runs the chroot's
#                                       qemu-system-aarch64 in a private mount namespace that has the
#                                       repo's .cache, /tmp (and $TMPDIR), /dev and /proc at their own
#                                       paths, so every file path on its command line means the same
#                                       file (relative ones too, from the caller's directory). It
#                                       execs all the way down: its PID is QEMU's PID.
# The last line on stdout is the runner's path; progress goes to stderr. Needs root (debootstrap,
# chroot); the runner also works without root where unprivileged user namespaces are allowed.
#
# Idempotent (a stamp: a second run costs milliseconds) and safe for concurrent callers (flock).
# The mirror is the host's Debian mirror from /etc/apt, else deb.debian.org. First run measured:
# 35-40 s (debootstrap 23-34 s, QEMU's packages 5-7 s; timed on stderr).
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

suite=trixie
packages=(qemu-system-arm)
out="$cache/qemu10"
root="$out/root"
runner="$out/qemu-system-aarch64"
# What the chroot is built from: a different recipe rebuilds it; the runner is rewritten every run.
recipe="suite=$suite packages=${packages[*]} variant=minbase v1"

mkdir -p "$out"
exec 9>"$out/.lock"
flock -w 900 9 || die "timed out waiting for another qemu10.sh"

# in_ns CMD...: CMD in a private mount namespace (what it mounts vanishes with it, even on a crash).
in_ns() {
  if [ "$(id -u)" -eq 0 ]; then
    unshare --mount --propagation private -- "$@"
  else
    unshare --map-root-user --mount --propagation private -- "$@"
  fi
}

if [ ! -f "$out/stamp" ] || [ "$(cat "$out/stamp")" != "$recipe" ] || [ ! -x "$root/usr/bin/qemu-system-aarch64" ]; then
  [ "$(id -u)" -eq 0 ] || die "building the QEMU 10 chroot needs root (debootstrap)"
  command -v debootstrap >/dev/null || bash "$repo/scripts/image/ensure-deps.sh"
  command -v debootstrap >/dev/null || die "debootstrap is missing (scripts/image/ensure-deps.sh installs it)"
  start=$SECONDS
  mirror="$(host_uris | grep -v -- '-security' | grep -E '/debian/?$' | head -n1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  rm -f "$out/stamp"
  tmp="$out/root.tmp"
  rm -rf "$tmp" "$root"
  log "debootstrap --variant=minbase $suite from $mirror (once, about half a minute)"
  in_ns debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$suite" "$tmp" "${mirror%/}" >"$out/debootstrap.log" 2>&1 ||
    die "debootstrap failed: see $out/debootstrap.log ($(tail -n1 "$out/debootstrap.log"))"
  log "debootstrap done in $((SECONDS - start)) s; installing ${packages[*]}"
  cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
  # A chroot only QEMU runs in: no fsync per file, no documentation.
  echo force-unsafe-io >"$tmp/etc/dpkg/dpkg.cfg.d/kexmenu-unsafe-io"
  printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n' \
    >"$tmp/etc/dpkg/dpkg.cfg.d/kexmenu-nodoc"
  # shellcheck disable=SC2016 # expanded by the inner shell
  in_ns sh -c 'mount --rbind /dev "$1/dev" && mount -t proc proc "$1/proc" &&
    DEBIAN_FRONTEND=noninteractive chroot "$1" sh -c "apt-get -qq update && apt-get install -y -qq --no-install-recommends $2 && apt-get clean"' \
    sh "$tmp" "${packages[*]}" >"$out/apt.log" 2>&1 ||
    die "installing ${packages[*]} in the chroot failed: see $out/apt.log ($(tail -n1 "$out/apt.log"))"
  mv "$tmp" "$root"
  echo "$recipe" >"$out/stamp"
  log "QEMU chroot ready in $((SECONDS - start)) s: $(
    chroot "$root" qemu-system-aarch64 --version | head -n1)"
fi

# The runner. Paths are this checkout's, fixed when it is written.
new="$runner.tmp.$$"
cat >"$new" <<EOS
#!/bin/sh
# Written by scripts/image/qemu10.sh: Debian 13's qemu-system-aarch64 from $root, run like a
# local binary. Bind mounts at the same paths: $cache, /tmp, \$TMPDIR, /dev, /proc.
root='$root'
cache='$cache'
if [ "\$(id -u)" -eq 0 ]; then ns='--mount'; else ns='--map-root-user --mount'; fi
# shellcheck disable=SC2086
exec unshare \$ns --propagation private -- /bin/sh -c '
  set -e
  root=\$1 cache=\$2 tmp=\$3 pwd=\$4
  shift 4
  bind() { mkdir -p "\$root\$1" && mount --rbind "\$1" "\$root\$1"; }
  bind "\$cache"
  bind /tmp
  [ "\$tmp" = /tmp ] || bind "\$tmp"
  mount --rbind /dev "\$root/dev"
  mount -t proc proc "\$root/proc"
  # In the directory of the caller, so that relative paths under the bound ones work too.
  exec chroot "\$root" /bin/sh -c '"'"'cd -- "\$1" 2>/dev/null || cd /; shift; PATH=/usr/bin:/bin exec qemu-system-aarch64 "\$@"'"'"' sh "\$pwd" "\$@"
' sh "\$root" "\$cache" "\${TMPDIR:-/tmp}" "\$PWD" "\$@"
EOS
chmod 0755 "$new"
if cmp -s "$new" "$runner"; then rm -f "$new"; else mv "$new" "$runner"; fi
echo "$runner"
