#!/usr/bin/env bash
# Usage: scripts/fetch-debian-package.sh DEBARCH PACKAGE
#
# A Debian 12 package for tests that need a real program of Debian's (memtest86+'s images, say),
# downloaded and extracted once into .cache/image/pkgs/ (scripts/image/lib.sh's deb_extract).
# Prints the extracted directory on stdout; progress goes to stderr.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DEBARCH PACKAGE" >&2; exit 2; }
# shellcheck source=scripts/image/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/image/lib.sh"
debian_apt_setup
deb_extract "$1" "$2"
