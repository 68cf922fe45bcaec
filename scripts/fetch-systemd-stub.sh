#!/usr/bin/env bash
# Usage: scripts/fetch-systemd-stub.sh
#
# systemd-stub, the EFI stub of unified kernel images, as Debian ships it (systemd-boot-efi) for
# x86_64 and arm64, extracted once into .cache/image/pkgs/. The UKI tests and disks build their
# images with objcopy over it, as the systemd-stub manual describes.
# Prints `x64=FILE` and `aa64=FILE` (absolute) on stdout; progress goes to stderr.
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/image/lib.sh"
debian_apt_setup
for pair in amd64:x64 arm64:aa64; do
  dir="$(deb_extract "${pair%%:*}" systemd-boot-efi)"
  stub="$dir/usr/lib/systemd/boot/efi/linux${pair##*:}.efi.stub"
  [ -f "$stub" ] || die "no $stub in systemd-boot-efi"
  echo "${pair##*:}=$stub"
done
