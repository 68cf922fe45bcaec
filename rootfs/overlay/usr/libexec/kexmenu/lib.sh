# shellcheck shell=sh disable=SC3040,SC3045 # busybox ash: it has pipefail and read -t
# Helpers shared by the kexmenu init scripts (sourced, busybox ash).

# karg NAME: print the value of the kernel argument NAME=VALUE (the last one wins); status 1 if absent.
# A bare NAME prints "1". Values cannot hold spaces: kexmenu.* arguments use commas instead.
karg() {
  _found=1
  _value=
  # shellcheck disable=SC2013 # word splitting is the point: kernel arguments are space separated
  for _word in $(cat /proc/cmdline 2>/dev/null); do
    case "$_word" in
      "$1") _value=1 _found=0 ;;
      "$1"=*) _value="${_word#*=}" _found=0 ;;
    esac
  done
  [ "$_found" -eq 0 ] || return 1
  printf '%s\n' "$_value"
}

# fix_winsize: a serial console reports 0x0, which makes Ink draw one character per line.
fix_winsize() {
  _size="$(stty size 2>/dev/null || true)"
  case "$_size" in
    "" | "0 0" | "0 "* | *" 0") stty cols 80 rows 24 2>/dev/null || true ;;
  esac
}
