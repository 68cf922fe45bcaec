#!/usr/bin/env bash
# Post-image script of the kexmenu QEMU defconfigs: writes
# start-qemu.sh into BINARIES_DIR ($1) for the board named by $2
# (BR2_ROOTFS_POST_SCRIPT_ARGS: aarch64-virt or x86_64).
set -euo pipefail

board_dir="$(cd "$(dirname "$0")" && pwd)"
images="${BINARIES_DIR:-$1}"
board="${2:-}"

# TCG settings measured to work on a 2-core build machine: one TCG
# thread is faster and steadier for aarch64 there.
case "${board}" in
aarch64-virt)
	qemu="qemu-system-aarch64"
	machine="-M virt -cpu cortex-a57"
	accel="tcg,thread=single"
	kernel=Image
	console=ttyAMA0
	;;
x86_64)
	qemu="qemu-system-x86_64"
	machine="-M pc -cpu max"
	accel=tcg
	kernel=bzImage
	console=ttyS0
	;;
*)
	echo "post-image: unknown QEMU board '${board}' (want aarch64-virt or x86_64)" >&2
	exit 1
	;;
esac

sed -e "s|@QEMU@|${qemu}|g" \
	-e "s|@MACHINE@|${machine}|g" \
	-e "s|@ACCEL@|${accel}|g" \
	-e "s|@KERNEL@|${kernel}|g" \
	-e "s|@CONSOLE@|${console}|g" \
	-e "s|@HOST_DIR@|${HOST_DIR:-}|g" \
	"${board_dir}/start-qemu.sh.in" >"${images}/start-qemu.sh"
chmod 0755 "${images}/start-qemu.sh"
echo "post-image: run ${images}/start-qemu.sh [DISK...]"
