#!/usr/bin/env bash
# Usage: scripts/image/disks.sh --arch x86_64|arm64
#
# Builds the e2e test disks in .cache/disks/ARCH/ without root (sfdisk on a file; each filesystem
# made in its own file with mkfs.ext4 -d / mkfs.vfat + mcopy, then copied in at its offset), holding
# real Debian kernels and a tiny TARGET initrd whose /init prints
#   KEXMENU-TARGET-UP cmdline=<contents of /proc/cmdline>
# then, where the kernel has a device tree, one line per property it finds among every
# /memory*/reg, the local-mac-address of a node named ethernet*, and every property of a node
# named kexmenu-test* (at most two levels down; at most 64 lines of at most 256 bytes each)
#   KEXMENU-TARGET-DT /path/of/property=<hex bytes>
#   KEXMENU-TARGET-DT-END lines=<N>
# and powers off. Disks:
#   gpt-debian.img   GPT, ext4 "rootfs": Debian-style /boot/grub/grub.cfg (search --fs-uuid), two kernels
#   esp-bls.img      GPT, ESP (FAT) with Boot Loader Spec /loader/entries (+ one entry of another arch)
#                    and a unified kernel image in /EFI/Linux (objcopy over Debian's systemd-stub)
#   usb-stick.img    MBR, FAT with /extlinux/extlinux.conf and /isos/debian-live.iso (xorriso), meant
#                    for usb-storage on qemu-xhci
#   live-stick.img   that ISO written to a whole stick: hybrid, its first MBR partition the ISO 9660
#   wrong-arch.img   MBR, ext4 with only the OTHER architecture's Debian kernel in /boot (no config)
#   hostile-stick.img MBR, ext4: a freezing kexmenu.conf glob, a grub.cfg symlink to /proc/kmsg, GRUB's
#                    doubling bomb (plugged into the running menu by the e2e test)
#   rpi.img          (arm64) MBR, FAT32 Raspberry Pi boot partition: config.txt, cmdline.txt,
#                    cmdline-pi4.txt, kernel8.img, initrd, overlays/ (two of our own, applied from
#                    config.txt), bcm2837/bcm2710 dtbs, and a bcm2711-rpi-4-b.dtb that
#                    QEMU's raspi4b can boot (Debian's, with what QEMU lacks disabled; see below)
#   rpi4b-firmware.dtb (arm64) the tree for qemu -M raspi4b -dtb: that same tree as the Pi 4
#                    firmware hands it to the kernel (with the board's MAC address)
#   manifest.json    UUIDs, kernel versions and file names the tests check against
# Rebuilt only when an input changes (stamp). Prints the image paths.
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arch "$@"
other_debarch=arm64
[ "$debarch" = arm64 ] && other_debarch=amd64
# The serial console a config on this arch's disks names (GRUB_CMDLINE_LINUX on a serial VM), so
# the booted TARGET's marker reaches the line the tests read.
serial=ttyS0
[ "$arch" = arm64 ] && serial=ttyAMA0

out="$cache/disks/$arch"
mkdir -p "$out"
debian_apt_setup
kdir="$(kernel_dir "$debarch")"
okdir="$(kernel_dir "$other_debarch")"
kver="$(basename "$(find "$kdir/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")"
okver="$(basename "$(find "$okdir/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")"
# The "previous" kernel: the same image under the preceding ABI number (6.1.0-56 -> 6.1.0-55).
abi="$(sed -n 's/^[0-9]*\.[0-9]*\.[0-9]*-\([0-9]*\)-.*/\1/p' <<<"$kver")"
prev_kver="${kver/-$abi-/-$((abi - 1))-}"
deb_extract "$debarch" busybox-static >"$out/busybox.txt"
busybox="$(cat "$out/busybox.txt")/bin/busybox"

here="$(dirname "${BASH_SOURCE[0]}")"
inputs_hash="$(
  {
    echo "$arch $(basename "$kdir") $(basename "$okdir") $(basename "$(dirname "$(dirname "$busybox")")")"
    sha256sum "$here/disks.sh" "$here/lib.sh" | cut -d' ' -f1
  } | sha256sum | cut -d' ' -f1
)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$inputs_hash" ]; then
  log "up to date: $out"
  find "$out" -maxdepth 1 -name '*.img' | sort
  exit 0
fi
rm -f "$out/stamp" "$out"/*.img "$out"/*.dtb
work="$out/work"
rm -rf "$work" && mkdir -p "$work"

# Fixed identifiers, so the tests know them.
root_uuid=5f0c6b4e-8d7a-4c39-9a51-6b1e2d3c4a01
wrong_uuid=5f0c6b4e-8d7a-4c39-9a51-6b1e2d3c4a02
hostile_uuid=5f0c6b4e-8d7a-4c39-9a51-6b1e2d3c4a03
esp_volid=4B4D4553 usb_volid=4B4D5553 rpi_volid=4B4D5250
machine_id=8a3c1e6f0b2d4f5a9c7e1d3b5a7f9e21

# ---- the TARGET initrd: busybox + an /init that reports its command line and powers off ----
t="$work/target"
mkdir -p "$t/bin" "$t/proc" "$t/sys" "$t/dev"
cp "$busybox" "$t/bin/busybox"
cat >"$t/init" <<'EOS'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo "KEXMENU-TARGET-UP cmdline=$(/bin/busybox cat /proc/cmdline)"
dt=/sys/firmware/devicetree/base
if [ -d "$dt" ]; then
  n=0
  for f in "$dt"/memory*/reg "$dt"/ethernet*/local-mac-address "$dt"/*/ethernet*/local-mac-address \
    "$dt"/kexmenu-test*/* "$dt"/*/kexmenu-test*/*; do
    [ -f "$f" ] && [ "$n" -lt 64 ] || continue
    echo "KEXMENU-TARGET-DT ${f#"$dt"}=$(/bin/busybox od -An -v -tx1 -N256 "$f" | /bin/busybox tr -d ' \n')"
    n=$((n + 1))
  done
  echo "KEXMENU-TARGET-DT-END lines=$n"
fi
/bin/busybox sync
/bin/busybox poweroff -f
/bin/busybox sleep 3600
EOS
chmod 0755 "$t/init"
target_initrd="$work/target-initrd.img"
{
  newc_dev_console
  (cd "$t" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet)
} | gzip -n -6 >"$target_initrd"
vmlinuz="$kdir/boot/vmlinuz-$kver"
other_vmlinuz="$okdir/boot/vmlinuz-$okver"

# put_part IMG START_SECTOR FSFILE: copy a filesystem image into the disk at its partition offset.
put_part() {
  dd if="$3" of="$1" bs=512 seek="$2" conv=notrunc,sparse status=none
}
# ext4_fs FILE SIZE_MB DIR LABEL UUID
ext4_fs() {
  rm -f "$1"
  mkfs.ext4 -q -F -L "$4" -U "$5" -E root_owner=0:0 -d "$3" "$1" "$2M" >/dev/null
  e2fsck -fn "$1" >/dev/null 2>&1 || die "e2fsck found errors in $1"
}
# fat_fs FILE SIZE_MB DIR LABEL VOLID [FATBITS]
fat_fs() {
  rm -f "$1"
  truncate -s "$2M" "$1"
  mkfs.vfat ${6:+-F "$6"} -i "$5" -n "$4" "$1" >/dev/null
  mcopy -s -m -i "$1" "$3"/* ::/
  fsck.vfat -n "$1" >/dev/null || die "fsck.vfat found errors in $1"
}
# disk IMG TABLE SIZE_MB PART_MB SFDISK_PART_LINE: an empty disk with one partition at 1 MiB.
disk() {
  rm -f "$1"
  truncate -s "$3M" "$1"
  if [ "$2" = gpt ]; then
    printf 'label: gpt\nlabel-id: %s\nfirst-lba: 2048\nstart=2048, size=%s, %s\n' \
      "$6" $(($4 * 2048)) "$5" | sfdisk -q "$1"
  else
    printf 'label: dos\nlabel-id: %s\nstart=2048, size=%s, %s\n' "$6" $(($4 * 2048)) "$5" | sfdisk -q "$1"
  fi
}

kmb="$(($(stat -c %s "$vmlinuz") / 1048576 + 1))"
omb="$(($(stat -c %s "$other_vmlinuz") / 1048576 + 1))"

# ---- gpt-debian.img: a Debian root with grub.cfg as grub-mkconfig writes it ----
r="$work/debian"
mkdir -p "$r/boot/grub" "$r/etc" "$r/root"
for v in "$kver" "$prev_kver"; do
  cp "$vmlinuz" "$r/boot/vmlinuz-$v"
  cp "$target_initrd" "$r/boot/initrd.img-$v"
  printf 'Linux %s config (copy for the test)\n' "$v" >"$r/boot/config-$v"
done
printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$root_uuid" >"$r/etc/fstab"
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' >"$r/etc/os-release"
printf 'kexmenu-e2e\n' >"$r/etc/hostname"
grub_entry() { # TITLE ID_SUFFIX KVER EXTRA INDENT
  local i="$5"
  cat <<EOS
${i}menuentry '$1' --class debian --class gnu-linux --class gnu --class os \$menuentry_id_option 'gnulinux-$2-$root_uuid' {
${i}	load_video
${i}	insmod gzio
${i}	if [ x\$grub_platform = xxen ]; then insmod xzio; insmod lzopio; fi
${i}	insmod part_gpt
${i}	insmod ext2
${i}	search --no-floppy --fs-uuid --set=root $root_uuid
${i}	echo	'Loading Linux $3 ...'
${i}	linux	/boot/vmlinuz-$3 root=UUID=$root_uuid ro console=$serial $4
${i}	echo	'Loading initial ramdisk ...'
${i}	initrd	/boot/initrd.img-$3
${i}}
EOS
}
{
  cat <<EOS
#
# DO NOT EDIT THIS FILE
#
# It is automatically generated by grub-mkconfig using templates
# from /etc/grub.d and settings from /etc/default/grub
#

### BEGIN /etc/grub.d/00_header ###
if [ -s \$prefix/grubenv ]; then
  set have_grubenv=true
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="0"
fi

if [ x"\${feature_menuentry_id}" = xy ]; then
  menuentry_id_option="--id"
else
  menuentry_id_option=""
fi

export menuentry_id_option

function load_video {
  if [ x\$feature_all_video_module = xy ]; then
    insmod all_video
  else
    insmod efi_gop
    insmod efi_uga
    insmod ieee1275_fb
    insmod vbe
    insmod vga
    insmod video_bochs
    insmod video_cirrus
  fi
}

terminal_output gfxterm
if [ x\$feature_timeout_style = xy ] ; then
  set timeout_style=menu
  set timeout=5
else
  set timeout=5
fi
### END /etc/grub.d/00_header ###

### BEGIN /etc/grub.d/10_linux ###
function gfxmode {
	set gfxpayload="\${1}"
}
set linux_gfx_mode=
export linux_gfx_mode
EOS
  grub_entry 'Debian GNU/Linux' simple "$kver" quiet ''
  echo "submenu 'Advanced options for Debian GNU/Linux' \$menuentry_id_option 'gnulinux-advanced-$root_uuid' {"
  grub_entry "Debian GNU/Linux, with Linux $kver" "$kver-advanced" "$kver" quiet '	'
  grub_entry "Debian GNU/Linux, with Linux $kver (recovery mode)" "$kver-recovery" "$kver" single '	'
  grub_entry "Debian GNU/Linux, with Linux $prev_kver" "$prev_kver-advanced" "$prev_kver" quiet '	'
  grub_entry "Debian GNU/Linux, with Linux $prev_kver (recovery mode)" "$prev_kver-recovery" "$prev_kver" single '	'
  echo "}"
  cat <<'EOS'

### END /etc/grub.d/10_linux ###

### BEGIN /etc/grub.d/30_uefi-firmware ###
if [ "$grub_platform" = "efi" ]; then
	fwsetup --is-supported
	if [ "$?" = 0 ]; then
		menuentry 'UEFI Firmware Settings' $menuentry_id_option 'uefi-firmware' {
			fwsetup
		}
	fi
fi
### END /etc/grub.d/30_uefi-firmware ###

### BEGIN /etc/grub.d/40_custom ###
### END /etc/grub.d/40_custom ###
EOS
} >"$r/boot/grub/grub.cfg"
size=$((2 * kmb + 24))
ext4_fs "$work/debian.ext4" "$size" "$r" rootfs "$root_uuid"
disk "$out/gpt-debian.img" gpt $((size + 2)) "$size" \
  "type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=6b1e2d3c-0001-4a01-9c00-00000000e2e1, name=\"rootfs\"" \
  6b1e2d3c-0000-4a01-9c00-00000000e2e1
put_part "$out/gpt-debian.img" 2048 "$work/debian.ext4"

# ---- esp-bls.img: systemd-boot layout (entries on the ESP, kernels under the machine id) ----
e="$work/esp"
mkdir -p "$e/loader/entries" "$e/$machine_id/$kver"
cp "$vmlinuz" "$e/$machine_id/$kver/linux"
cp "$target_initrd" "$e/$machine_id/$kver/initrd"
printf 'timeout 3\ndefault %s-*\n' "$machine_id" >"$e/loader/loader.conf"
cat >"$e/loader/entries/$machine_id-$kver.conf" <<EOS
title      Debian GNU/Linux 12 (bookworm)
version    $kver
machine-id $machine_id
sort-key   debian
options    root=UUID=$root_uuid ro console=$serial quiet bls=1
linux      /$machine_id/$kver/linux
initrd     /$machine_id/$kver/initrd
EOS
other_bls_arch=aa64
[ "$arch" = arm64 ] && other_bls_arch=x64
cat >"$e/loader/entries/other-arch.conf" <<EOS
title        Not for this machine
version      $okver
architecture $other_bls_arch
options      root=UUID=$root_uuid ro
linux        /$machine_id/$kver/linux
EOS
# A unified kernel image (BLS type #2) beside them, made as the systemd-stub manual says: objcopy
# adds os-release, the command line, uname, the initrd and the kernel to Debian's stub, each at an
# address past the stub's own sections.
stub_arch=x64 binutils=
[ "$arch" = arm64 ] && stub_arch=aa64 binutils=aarch64-linux-gnu-
stub="$(bash "$here/../fetch-systemd-stub.sh" | sed -n "s/^$stub_arch=//p")"
next=0
while read -r idx _ size vma _; do
  [[ "$idx" =~ ^[0-9]+$ ]] && [ $((16#$vma + 16#$size)) -gt "$next" ] && next=$((16#$vma + 16#$size))
done < <("${binutils}objdump" -h "$stub")
printf 'PRETTY_NAME="kexmenu e2e UKI"\nID=kexmenu\nVERSION_ID=1\n' >"$work/uki-osrel"
printf 'console=%s uki=1 quiet' "$serial" >"$work/uki-cmdline"
printf '%s' "$kver" >"$work/uki-uname"
sections=()
for part in osrel:"$work/uki-osrel" cmdline:"$work/uki-cmdline" uname:"$work/uki-uname" initrd:"$target_initrd" linux:"$vmlinuz"; do
  next=$(((next + 0xffff) / 0x10000 * 0x10000))
  sections+=(--add-section ".${part%%:*}=${part#*:}" --change-section-vma ".${part%%:*}=$(printf '0x%x' "$next")")
  next=$((next + $(stat -c %s "${part#*:}")))
done
mkdir -p "$e/EFI/Linux"
"${binutils}objcopy" "${sections[@]}" "$stub" "$e/EFI/Linux/kexmenu-e2e-$kver.efi"
size=$((2 * kmb + 44))
fat_fs "$work/esp.vfat" "$size" "$e" ESP "$esp_volid"
disk "$out/esp-bls.img" gpt $((size + 2)) "$size" \
  "type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=6b1e2d3c-0002-4a01-9c00-00000000e2e2, name=\"EFI System Partition\"" \
  6b1e2d3c-0000-4a01-9c00-00000000e2e2
put_part "$out/esp-bls.img" 2048 "$work/esp.vfat"

# ---- usb-stick.img: an extlinux stick ----
u="$work/usb"
mkdir -p "$u/extlinux"
cp "$vmlinuz" "$u/vmlinuz"
cp "$target_initrd" "$u/initrd.img"
cat >"$u/extlinux/extlinux.conf" <<EOS
# kexmenu e2e USB stick
DEFAULT live
TIMEOUT 30
MENU TITLE USB stick

LABEL live
  MENU LABEL Live system from USB
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND console=$serial usb=1 quiet

LABEL rescue
  MENU LABEL Rescue shell from USB
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND console=$serial usb=1 single
EOS
# A Debian live-style ISO image kept on the stick, as on a rescue stick of ISOs: live-boot's
# layout (/live/vmlinuz, /live/initrd.img) and a grub.cfg whose entry finds its image by findiso=,
# which kexmenu adds. xorriso writes it with Rock Ridge and Joliet, as Debian's images are.
i="$work/live-iso"
mkdir -p "$i/live" "$i/boot/grub" "$u/isos"
cp "$vmlinuz" "$i/live/vmlinuz"
cp "$target_initrd" "$i/live/initrd.img"
cat >"$i/boot/grub/grub.cfg" <<EOS
set default=0
menuentry "Debian Live (kexmenu e2e)" {
  linux /live/vmlinuz boot=live components console=$serial quiet
  initrd /live/initrd.img
}
EOS
xorriso -as mkisofs -quiet -R -J -V 'KEXMENU_LIVE' -o "$u/isos/debian-live.iso" "$i"
# The same image written to a whole stick, as `dd` of a hybrid ISO makes one: an MBR whose first
# partition is the ISO 9660 filesystem again, 32 KiB in (xorriso's -partition_offset 16).
xorriso -as mkisofs -quiet -R -J -V 'KEXMENU_LIVE' -partition_offset 16 -o "$out/live-stick.img" "$i"
size=$((2 * kmb + 12))
fat_fs "$work/usb.vfat" "$size" "$u" KEXUSB "$usb_volid"
disk "$out/usb-stick.img" dos $((size + 2)) "$size" "type=c, bootable" 0x4b4d5553
put_part "$out/usb-stick.img" 2048 "$work/usb.vfat"

# ---- wrong-arch.img: only a kernel of the other architecture, found by file name ----
w="$work/wrong"
mkdir -p "$w/boot"
cp "$other_vmlinuz" "$w/boot/vmlinuz-$okver"
cp "$target_initrd" "$w/boot/initrd.img-$okver"
size=$((omb + 16))
ext4_fs "$work/wrong.ext4" "$size" "$w" otherarch "$wrong_uuid"
disk "$out/wrong-arch.img" dos $((size + 2)) "$size" "type=83" 0x4b4d5741
put_part "$out/wrong-arch.img" 2048 "$work/wrong.ext4"

# ---- hostile-stick.img: what a stranger's USB stick could hold (test/fixtures/hostile/README.md) ----
# A kexmenu.conf default that a backtracking regex never finished on, matched against a 40-letter
# label; a grub.cfg that is a symlink through a missing directory to /proc/kmsg (the read blocks);
# GRUB's doubling bomb in the other place GRUB looks. No default of its own, so plugging it in
# must not move the countdown. ext4: FAT has no symlinks.
h="$work/hostile"
mkdir -p "$h/extlinux" "$h/boot/grub" "$h/grub"
head -c 4096 /dev/zero >"$h/vmlinuz-hostile"
printf 'default = *a*a*a*a*a*a*a*a*a*a*a*a*b\n' >"$h/kexmenu.conf"
printf 'LABEL long\n  MENU LABEL %s\n  LINUX /vmlinuz-hostile\n  APPEND console=%s hostile=1\n' "$(printf 'a%.0s' $(seq 40))" "$serial" >"$h/extlinux/extlinux.conf"
ln -s "nx/$(printf '../%.0s' $(seq 16))proc/kmsg" "$h/boot/grub/grub.cfg"
{
  printf 'set a="x x"\n'
  for _ in $(seq 26); do printf 'set a="$a $a"\n'; done
  printf 'for i in $a; do set b="$b$i"; done\n'
} >"$h/grub/grub.cfg"
ext4_fs "$work/hostile.ext4" 8 "$h" HOSTILE "$hostile_uuid"
disk "$out/hostile-stick.img" dos 10 8 "type=83" 0x4b4d4853
put_part "$out/hostile-stick.img" 2048 "$work/hostile.ext4"

# ---- rpi.img (arm64): the Raspberry Pi firmware's FAT partition ----
if [ "$arch" = arm64 ]; then
  p="$work/rpi"
  mkdir -p "$p"
  dtbs="$kdir/usr/lib/linux-image-$kver/broadcom"
  cp "$vmlinuz" "$p/kernel8.img"
  cp "$target_initrd" "$p/initrd.img"
  cp "$dtbs/bcm2837-rpi-3-b.dtb" "$dtbs/bcm2837-rpi-3-b-plus.dtb" "$p/"
  # The Pi 4 tree, made bootable under QEMU 10's raspi4b (docs/qemu.md, "Raspberry Pi 4"): the
  # blocks QEMU does not emulate are disabled (the L2 interrupt controller faults in
  # brcmstb_l2_intc_of_init and panics; HDMI/VC4, their I2C, PCIe, GENET, AVS, RNG), and so is
  # emmc2, which QEMU models without a card: -drive if=sd sits on the Arasan SDHCI at 0x7e300000
  # (the Pi 4's Wi-Fi SDIO port), whose mmc-pwrseq (GPIOs of the firmware's expander, which QEMU
  # does not answer) would keep it deferred forever; so that property goes.
  rpi4="$p/bcm2711-rpi-4-b.dtb"
  cp "$dtbs/bcm2711-rpi-4-b.dtb" "$rpi4"
  for node in /soc/hvs@7e400000 /soc/avs-monitor@7d5d2000 /soc/avs-monitor@7d5d2000/thermal \
    /soc/rng@7e104000 /soc/pixelvalve@7e206000 /soc/pixelvalve@7e207000 /soc/pixelvalve@7e20a000 \
    /soc/pixelvalve@7e216000 /soc/pixelvalve@7ec12000 /soc/clock@7ef00000 \
    /soc/interrupt-controller@7ef00100 /soc/hdmi@7ef00700 /soc/i2c@7ef04500 /soc/hdmi@7ef05700 \
    /soc/i2c@7ef09500 /emmc2bus/mmc@7e340000 /scb/pcie@7d500000 /scb/ethernet@7d580000 /scb/gpu@7ec00000; do
    fdtput -t s "$rpi4" "$node" status disabled
  done
  fdtput -d "$rpi4" /soc/mmc@7e300000 mmc-pwrseq
  # The "firmware" tree for qemu -dtb: that tree as the Pi 4 firmware hands it to the kernel, as
  # far as QEMU lets it through. The firmware writes the board's MAC address on the ethernet0
  # node (Raspberry Pi's OUI here). QEMU 10 edits a -dtb before the kernel sees it: it deletes
  # the first node compatible with the GENET, which a disabled decoy ahead of the real node takes,
  # and it replaces every memory node with one of its own (0 to the VideoCore's RAM at
  # 0x3c000000, whatever -m says), so the memory the Pi 4 firmware would write (split at 1 GiB)
  # cannot be given to the kernel here and the tree keeps Debian's empty one.
  fw="$out/rpi4b-firmware.dtb"
  cp "$rpi4" "$fw"
  # A new node goes first among the root's children, so ahead of /scb.
  fdtput -c "$fw" /qemu-nop-genet
  fdtput -t s "$fw" /qemu-nop-genet compatible brcm,bcm2711-genet-v5
  fdtput -t s "$fw" /qemu-nop-genet status disabled
  fdtput -t bx "$fw" /scb/ethernet@7d580000 local-mac-address dc a6 32 00 00 01
  # The Raspberry Pi firmware's own name for the Pi 3 B tree.
  cp "$dtbs/bcm2837-rpi-3-b.dtb" "$p/bcm2710-rpi-3-b.dtb"
  # Overlays in the style of Raspberry Pi's own (which Debian does not ship), compiled with dtc -@
  # as theirs are. Debian's trees carry no __symbols__, so these target paths, not labels.
  # kexmenu-test has a string and an integer parameter; vc4-kms-v3d stands in for Pi OS's KMS
  # overlay under its real name. The target's /init prints both nodes.
  mkdir -p "$p/overlays"
  overlay() { dtc -q -@ -I dts -O dtb -o "$p/overlays/$1.dtbo" -; }
  overlay kexmenu-test <<'EOS'
/dts-v1/;
/plugin/;
/ {
	compatible = "brcm,bcm2835";
	fragment@0 {
		target-path = "/";
		__overlay__ {
			node: kexmenu-test {
				value = "as compiled";
				count = <1>;
			};
		};
	};
	__overrides__ {
		value = <&node>, "value";
		count = <&node>, "count:0";
	};
};
EOS
  overlay vc4-kms-v3d <<<'/dts-v1/; /plugin/; / { fragment@0 { target-path = "/"; __overlay__ { kexmenu-test-kms { applied = "vc4-kms-v3d"; }; }; }; };'
  cat >"$p/config.txt" <<'EOS'
# Raspberry Pi firmware settings (kexmenu e2e)
arm_64bit=1
enable_uart=1
kernel=kernel8.img
initramfs initrd.img followkernel

[pi4]
dtoverlay=vc4-kms-v3d
max_framebuffers=2
cmdline=cmdline-pi4.txt

[all]
dtoverlay=kexmenu-test,value=from-config-txt
dtparam=count=7
disable_overscan=1
EOS
  # /dev/console is the last console= named: the serial line, where the tests read. On a Pi 3 that
  # is the mini UART (ttyS1): the PL011 serves Bluetooth. The same on a Pi 4.
  printf 'console=tty1 console=ttyS1,115200 root=/dev/mmcblk0p2 rootfstype=ext4 fsck.repair=yes rootwait rpi=1\n' >"$p/cmdline.txt"
  # A Pi 4 reads its own (config.txt [pi4]): the PL011 (ttyAMA0), as with Bluetooth disabled.
  # Under QEMU 10 a kexec'd kernel that opens the interrupt-driven mini UART livelocks about
  # every other boot (docs/qemu.md, "Raspberry Pi 4"); on the PL011 it never did.
  printf 'console=tty1 console=ttyAMA0,115200 root=/dev/mmcblk0p2 rootfstype=ext4 fsck.repair=yes rootwait rpi=4\n' >"$p/cmdline-pi4.txt"
  size=$((kmb + 32))
  [ "$size" -ge 64 ] || size=64
  fat_fs "$work/rpi.vfat" "$size" "$p" RASPIFIRM "$rpi_volid" 32
  # QEMU's SD card model wants a power-of-two size.
  total=1
  while [ "$total" -lt $((size + 2)) ]; do total=$((total * 2)); done
  disk "$out/rpi.img" dos "$total" "$size" "type=c, bootable" 0x4b4d5250
  put_part "$out/rpi.img" 2048 "$work/rpi.vfat"
fi

# ---- what the tests check against ----
cat >"$out/manifest.json" <<EOS
{
  "arch": "$arch",
  "kernelVersion": "$kver",
  "previousKernelVersion": "$prev_kver",
  "otherArchKernelVersion": "$okver",
  "rootUuid": "$root_uuid",
  "wrongArchUuid": "$wrong_uuid",
  "espVolumeId": "${esp_volid:0:4}-${esp_volid:4:4}",
  "usbVolumeId": "${usb_volid:0:4}-${usb_volid:4:4}",
  "rpiVolumeId": "${rpi_volid:0:4}-${rpi_volid:4:4}",
  "machineId": "$machine_id",
  "targetMarker": "KEXMENU-TARGET-UP"
}
EOS
rm -rf "$work"
echo "$inputs_hash" >"$out/stamp"
find "$out" -maxdepth 1 -name '*.img' | sort | while read -r img; do
  printf '%s %d MB\n' "$img" "$(($(stat -c %s "$img") / 1048576))"
done
