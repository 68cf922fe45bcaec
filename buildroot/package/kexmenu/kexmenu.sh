#!/bin/sh
# Runs the kexmenu bundle with the target's node; arguments are
# passed on (kexmenu scan --json, kexmenu boot ID, ...).
unset CI
exec /usr/bin/node /usr/lib/kexmenu/kexmenu.mjs "$@"
