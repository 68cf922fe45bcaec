#!/usr/bin/env bash
# Offline checks of the BR2_EXTERNAL tree in buildroot/ against a Buildroot
# checkout (no download, no build; a few seconds per defconfig):
#
#   BUILDROOT_DIR=/path/to/buildroot test/buildroot/check.sh [NAME_defconfig...]
#
# For each defconfig (all of buildroot/configs by default):
#   1. make O=<tmp> BR2_EXTERNAL=buildroot NAME_defconfig
#   2. support/scripts/check-dotconfig.py: every line of the defconfig survived
#      Kconfig (make exits 0 even when it silently drops an option)
#   3. what the image needs is on in .config although the defconfig only says it
#      through kexmenu's selects: nodejs, ICU, kexec, util-linux, busybox init,
#      no getty
#   4. the files the defconfig names exist (in our tree, in rootfs/overlay, or in
#      Buildroot), and the kernel source it pins has a hash in BR2_GLOBAL_PATCH_DIR
#      (BR2_DOWNLOAD_FORCE_CHECK_HASHES would fail the real build otherwise)
#   5. make printvars: the kexmenu package's kernel fixups reach the linux package
# Then utils/check-package -b on every file of buildroot/.
#
# Needs: make, gcc (Kconfig), python3 with python-magic, shellcheck, flake8
# (Debian: python3-magic shellcheck flake8). Exit status 0 only when all pass.
set -uo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
external="${repo}/buildroot"

if [ -z "${BUILDROOT_DIR:-}" ]; then
	echo "check.sh: set BUILDROOT_DIR to a Buildroot checkout (git clone https://gitlab.com/buildroot.org/buildroot)" >&2
	exit 2
fi
br="$(cd "${BUILDROOT_DIR}" && pwd)" || exit 2
if [ ! -f "${br}/support/scripts/check-dotconfig.py" ] || [ ! -x "${br}/utils/check-package" ]; then
	echo "check.sh: ${br} does not look like a Buildroot checkout" >&2
	exit 2
fi
python=/usr/bin/python3
[ -x "${python}" ] || python=python3

if [ "$#" -gt 0 ]; then
	defconfigs=("$@")
else
	defconfigs=()
	for f in "${external}"/configs/*_defconfig; do defconfigs+=("$(basename "${f}")"); done
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/kexmenu-br-check.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

failed=0
fail() {
	echo "  FAIL: $*"
	failed=1
	this_failed=1
}

# value NAME FILE: the unquoted value of NAME=... in a (def)config file.
value() {
	sed -n "s/^$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$2" | tail -n 1
}

# expand PATH: $(BR2_EXTERNAL_KEXMENU_PATH) as Buildroot expands it; relative
# paths are relative to the Buildroot directory, as in make.
expand() {
	local p="${1//\$(BR2_EXTERNAL_KEXMENU_PATH)/${external}}"
	case "${p}" in
	/*) printf '%s\n' "${p}" ;;
	*) printf '%s\n' "${br}/${p}" ;;
	esac
}

check_defconfig() {
	local name="$1" def="${external}/configs/$1" out="${work}/${1%_defconfig}"
	local dot="${out}/.config" v f patchdir hashfile tarball
	this_failed=0
	echo "== ${name}"
	if [ ! -f "${def}" ]; then
		fail "no such defconfig: ${def}"
		return
	fi

	# 1. configure
	if ! make -s -C "${br}" O="${out}" BR2_EXTERNAL="${external}" "${name}" >"${out}.log" 2>&1; then
		fail "make ${name} failed:"
		sed 's/^/    /' "${out}.log"
		return
	fi
	echo "  make ${name}: ok"

	# 2. nothing dropped
	if "${python}" "${br}/support/scripts/check-dotconfig.py" "${dot}" "${def}" >"${out}.dot" 2>&1; then
		echo "  check-dotconfig: ok ($(grep -c '^\(BR2_\|# BR2_.* is not set\)' "${def}") lines kept)"
	else
		fail "check-dotconfig:"
		sed 's/^/    /' "${out}.dot"
	fi

	# 3. what kexmenu needs, selected or defaulted
	for v in BR2_PACKAGE_KEXMENU BR2_PACKAGE_NODEJS BR2_PACKAGE_ICU BR2_PACKAGE_KEXEC \
		BR2_PACKAGE_UTIL_LINUX_BINARIES BR2_PACKAGE_UTIL_LINUX_MOUNT BR2_INIT_BUSYBOX \
		BR2_LINUX_KERNEL BR2_INSTALL_LIBSTDCPP BR2_TOOLCHAIN_USES_GLIBC; do
		grep -qx "${v}=y" "${dot}" || fail "${v} is not y in .config"
	done
	grep -qx '# BR2_TARGET_GENERIC_GETTY is not set' "${dot}" || fail "a getty is configured"
	[ "${this_failed}" -eq 0 ] && echo "  kexmenu, nodejs+ICU, kexec, util-linux, busybox init, no getty: ok"

	# 4. named files exist; the kernel source has a hash
	local files_ok=1
	for v in BR2_ROOTFS_OVERLAY BR2_ROOTFS_POST_IMAGE_SCRIPT BR2_ROOTFS_POST_BUILD_SCRIPT \
		BR2_LINUX_KERNEL_CUSTOM_CONFIG_FILE BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES \
		BR2_PACKAGE_RPI_FIRMWARE_CONFIG_FILE BR2_PACKAGE_RPI_FIRMWARE_CMDLINE_FILE \
		BR2_GLOBAL_PATCH_DIR; do
		for f in $(value "${v}" "${dot}"); do
			f="$(expand "${f}")"
			[ -e "${f}" ] || { fail "${v}: ${f} does not exist"; files_ok=0; }
		done
	done
	local overlay
	overlay="$(expand "$(value BR2_ROOTFS_OVERLAY "${dot}")")"
	for f in etc/inittab usr/libexec/kexmenu/sysinit usr/libexec/kexmenu/launcher; do
		[ -e "${overlay}/${f}" ] || { fail "rootfs overlay has no ${f}"; files_ok=0; }
	done
	if grep -qx 'BR2_LINUX_KERNEL_CUSTOM_TARBALL=y' "${dot}"; then
		tarball="$(value BR2_LINUX_KERNEL_CUSTOM_TARBALL_LOCATION "${dot}")"
		tarball="${tarball##*/}"
	elif grep -qx 'BR2_LINUX_KERNEL_CUSTOM_VERSION=y' "${dot}"; then
		tarball="linux-$(value BR2_LINUX_KERNEL_CUSTOM_VERSION_VALUE "${dot}").tar.xz"
	else
		tarball=""
	fi
	if [ -n "${tarball}" ]; then
		local found=""
		for patchdir in $(value BR2_GLOBAL_PATCH_DIR "${dot}") ""; do
			if [ -n "${patchdir}" ]; then
				hashfile="$(expand "${patchdir}")/linux/linux.hash"
			else
				hashfile="${br}/linux/linux.hash"
			fi
			if [ -f "${hashfile}" ] && grep -q " ${tarball}\$" "${hashfile}"; then
				found="${hashfile#"${br}"/}"
				break
			fi
		done
		if [ -n "${found}" ]; then
			echo "  kernel ${tarball}: hash in ${found}"
		else
			fail "no hash for kernel ${tarball} in BR2_GLOBAL_PATCH_DIR or linux/linux.hash (keep it in sync with Buildroot's own defconfig)"
			files_ok=0
		fi
	fi
	[ "${files_ok}" -eq 1 ] && echo "  files named by the defconfig exist: ok"

	# 5. the package's kernel fixups reach linux.mk
	if ! make -s -C "${br}" O="${out}" printvars \
		VARS='PACKAGES_LINUX_CONFIG_FIXUPS' >"${out}.vars" 2>&1; then
		fail "make printvars failed:"
		sed 's/^/    /' "${out}.vars" | head -20
	else
		grep -q "CONFIG_KEXEC=y" "${out}.vars" || fail "kernel fixups lack CONFIG_KEXEC"
		grep -q "CONFIG_KEXEC_FILE=y" "${out}.vars" || fail "kernel fixups lack CONFIG_KEXEC_FILE"
		local arm64=0
		grep -qx 'BR2_aarch64=y' "${dot}" && arm64=1
		if [ "${arm64}" -eq 1 ]; then
			grep -q "CONFIG_PM_SLEEP_SMP=y" "${out}.vars" || fail "arm64 kernel fixups lack CONFIG_PM_SLEEP_SMP"
		fi
		[ "${this_failed}" -eq 0 ] &&
			echo "  kernel fixups (CONFIG_KEXEC, CONFIG_KEXEC_FILE$([ "${arm64}" -eq 1 ] && echo ', CONFIG_PM_SLEEP_SMP')): ok"
	fi

	[ "${this_failed}" -eq 0 ] && echo "  ${name}: PASS" || echo "  ${name}: FAIL"
}

for d in "${defconfigs[@]}"; do
	check_defconfig "${d}"
done

echo "== utils/check-package -b (every file of buildroot/)"
if (cd "${external}" && find . -type f ! -name '*~' -print0 | sort -z |
	xargs -0 "${python}" "${br}/utils/check-package" -b) >"${work}/check-package.log" 2>&1; then
	sed 's/^/  /' "${work}/check-package.log"
	echo "  check-package: PASS"
else
	sed 's/^/  /' "${work}/check-package.log"
	echo "  check-package: FAIL"
	failed=1
fi

if [ "${failed}" -eq 0 ]; then
	echo "ALL PASS (${#defconfigs[@]} defconfigs, Buildroot $(make -s -C "${br}" --no-print-directory print-version 2>/dev/null || echo '?'))"
else
	echo "SOME CHECKS FAILED"
fi
exit "${failed}"
