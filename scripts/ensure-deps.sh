#!/usr/bin/env bash
# Installs the Debian packages the tests use, only when one is missing (apt-get update once).
set -euo pipefail
packages=(
  util-linux fdisk e2fsprogs dosfstools mtools device-tree-compiler kexec-tools cpio zstd kmod
  busybox-static qemu-system-x86 qemu-system-arm qemu-utils
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
