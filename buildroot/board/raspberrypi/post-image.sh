#!/usr/bin/env bash
# Post-image script of the kexmenu Raspberry Pi defconfigs: writes
# genimage-kexmenu.cfg from genimage.cfg.in with the list of boot
# files, then builds sdcard.img in BINARIES_DIR ($1).
set -euo pipefail

board_dir="$(cd "$(dirname "$0")" && pwd)"
images="${BINARIES_DIR:-$1}"
cfg="${images}/genimage-kexmenu.cfg"

kernel="$(sed -n 's/^kernel=//p' "${images}/rpi-firmware/config.txt" | tail -n 1)"
if [ -z "${kernel}" ] || [ ! -f "${images}/${kernel}" ]; then
	echo "post-image: kernel '${kernel}' named by config.txt is not in ${images}" >&2
	exit 1
fi

# Firmware, config.txt, cmdline.txt and overlays/ come from
# rpi-firmware; the DTBs from the kernel build.
list=""
for path in "${images}"/rpi-firmware/* "${images}"/*.dtb "${images}/${kernel}"; do
	[ -e "${path}" ] || continue
	list="${list}			\"${path#"${images}"/}\",
"
done

awk -v files="${list%,
}" '$0 == "@BOOT_FILES@" { print files; next } { print }' \
	"${board_dir}/genimage.cfg.in" >"${cfg}"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
mkdir "${tmp}/root"

genimage \
	--rootpath "${tmp}/root" \
	--tmppath "${tmp}/genimage" \
	--inputpath "${images}" \
	--outputpath "${images}" \
	--config "${cfg}"

echo "post-image: ${images}/sdcard.img is ready (dd or bmaptool it to an SD card)."
