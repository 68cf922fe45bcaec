#!/usr/bin/env bash
# Usage: scripts/image/demo.sh [--arch x86_64|arm64] [-- EXTRA KERNEL ARGS]   (or: npm run demo)
#
# Builds the image and the test disks if needed, then boots them in QEMU on this terminal, so a
# person can use the menu exactly as the e2e tests do. Ctrl-A X quits QEMU; Ctrl-A C is its monitor.
# Example: npm run demo -- --arch x86_64 -- kexmenu.timeout=30
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
args=()
extra=()
while [ "$#" -gt 0 ]; do
  if [ "$1" = -- ]; then
    shift
    extra=("$@")
    break
  fi
  args+=("$1")
  shift
done
[ "${#args[@]}" -gt 0 ] || args=(--arch x86_64)
parse_arch "${args[@]}"

"$repo/scripts/image/ensure-deps.sh"
(cd "$repo" && node scripts/build.mjs)
"$repo/scripts/image/build.sh" --arch "$arch" >&2
"$repo/scripts/image/disks.sh" --arch "$arch" >/dev/null
img="$cache/images/$arch"
d="$cache/disks/$arch"

drives=()
n=0
for f in gpt-debian esp-bls wrong-arch rpi; do
  [ -f "$d/$f.img" ] || continue
  drives+=(-drive "if=none,id=d$n,file=$d/$f.img,format=raw,readonly=on" -device "virtio-blk-pci,drive=d$n")
  n=$((n + 1))
done
drives+=(-device "qemu-xhci,id=xhci" -drive "if=none,id=usb,file=$d/usb-stick.img,format=raw,readonly=on"
  -device "usb-storage,bus=xhci.0,drive=usb")

if [ "$arch" = x86_64 ]; then
  qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024)
  console=ttyS0
else
  qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57 -smp 2 -m 1024 -accel "tcg,thread=single")
  console=ttyAMA0
fi
exec "${qemu[@]}" -display none -serial mon:stdio -no-reboot \
  -kernel "$img/kernel" -initrd "$img/initramfs.cpio.zst" \
  -append "console=$console panic=-1 quiet cryptomgr.notests=1 ${extra[*]}" \
  "${drives[@]}"
