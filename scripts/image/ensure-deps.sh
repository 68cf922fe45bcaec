#!/usr/bin/env bash
# Installs, idempotently and without prompts, the host tools the tests, the image builder and
# the e2e suite use (scripts/test.sh and the e2e harness both call it). Nothing is installed when every package is already present; otherwise `apt-get update` runs
# once and the missing ones are installed (needs root, as in CI). Foreign-arch packages are never
# installed here: the image builder fetches those into .cache with a private apt state.
set -euo pipefail

packages=(
  qemu-system-x86 qemu-system-arm qemu-utils kexec-tools busybox-static cpio dosfstools mtools
  fdisk kmod zstd e2fsprogs device-tree-compiler binutils binutils-aarch64-linux-gnu
  debian-archive-keyring util-linux debootstrap u-boot-tools xorriso
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "ensure-deps: installing ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
