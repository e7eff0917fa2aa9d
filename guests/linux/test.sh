#!/usr/bin/env bash
# Boots the Linux guest with armvmm.tests=1 and checks the test programs' result lines.
#   guests/linux/test.sh [--native|--vmm] [--timeout S] [--log FILE] DIR
# DIR holds vmlinux, zImage, integratorcp.dtb, initramfs.cpio.gz ($(LINUX_OUT)).
# Only the "PASS: ..."/"FAIL: ..." lines of the test programs are compared with
# guests/linux/tests.expected, or tests.<variant>.expected when the build's variant has one
# (never boot-log lines or timestamps); the run must also print
# "ALL TESTS DONE" and end the machine with status 0 (reboot -f). On failure it prints what
# differed and the whole console transcript, and exits 1.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/boot.sh"

where=native timeout=300 log="" dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --native) where=native ;;
    --vmm) where=vmm ;;
    --timeout) timeout=$2; shift ;;
    --log) log=$2; shift ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) dir=$1 ;;
  esac
  shift
done
[ -n "$dir" ] && [ -f "$dir/initramfs.cpio.gz" ] || { echo "test.sh: no Linux build in '$dir'" >&2; exit 2; }
name="linux-test-$where"
[ -n "$log" ] || log=$(mktemp "/tmp/$name.XXXXXX.log")
mkdir -p "$(dirname "$log")"

echo "$name: booting $(readlink -f "$dir") with armvmm.tests=1 (timeout ${timeout}s)"
start=$(date +%s)
timeout -k 5 "$timeout" bash -c '. "$1"; boot_'"$where"' "$2" "$3" wall' _ \
  "$here/boot.sh" "$dir" "console=ttyAMA0 armvmm.tests=1" >"$log" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))

variant=$(sed -n 's/^variant: //p' "$dir/version.txt" 2>/dev/null)
expected_file="$here/tests.expected"
[ -f "$here/tests.${variant:-default}.expected" ] && expected_file="$here/tests.$variant.expected"
expected=$(mktemp)
trap 'rm -f "$expected"' EXIT
grep -v -e '^#' -e '^$' "$expected_file" >"$expected"
got=$(tr -d '\r' <"$log" | grep -E '^(PASS|FAIL): ' || true)
problems=()
[ $rc -eq 0 ] || problems+=("machine exit status $rc$( [ $rc -eq 124 ] && echo " (timeout after ${timeout}s)")")
tr -d '\r' <"$log" | grep -qx 'ALL TESTS DONE' || problems+=("no 'ALL TESTS DONE' line")
difference=$(diff -u --label expected --label got "$expected" <(printf '%s\n' "$got") || true)
[ -z "$difference" ] || problems+=("test lines differ from $(basename "$expected_file")")

printf '%s\n' "$got" | sed 's/^/  /'
npass=$(printf '%s\n' "$got" | grep -c '^PASS: ' || true)
nexp=$(grep -c . "$expected")
if [ ${#problems[@]} -eq 0 ]; then
  echo "$name: all $nexp result lines as in $(basename "$expected_file"), ${secs}s (transcript: $log)"
  echo "$name: $nexp passed, 0 failed"
  exit 0
fi
echo "$name: FAILED after ${secs}s:"
printf '  - %s\n' "${problems[@]}"
[ -z "$difference" ] || printf '%s\n' "$difference"
echo "----- console transcript ($log) -----"
tr -d '\r' <"$log"
echo "----- end of transcript -----"
failed=$(comm -23 <(sort "$expected") <(printf '%s\n' "$got" | sort) | grep -c . || true)
[ "$failed" -gt 0 ] || failed=1
echo "$name: $npass passed, $failed failed"
exit 1
