# shellcheck shell=bash
# Boot commands for the Linux guest, shared by guests/linux/test.sh and bench/run.sh (sourced).
# Each boot_<where> function boots the build in directory $1 (vmlinux, zImage, integratorcp.dtb,
# initramfs.cpio.gz) with kernel command line $2 and timing mode $3:
#   icount  deterministic: one guest instruction = 1 ns (-icount shift=0,sleep=off)
#   wall    wall-clock time (single-threaded TCG)
# The console goes to stdout, standard input is /dev/null, and the guest's `reboot -f` ends the
# machine with status 0. Callers wrap them in `timeout`.

# Both go through `armvmm run` with the same options, so every comparison uses one command line:
# --native boots the zImage of the same build on the bare board; without it the VMM runs the
# vmlinux (patched automatically).
boot_armvmm() {
  local dir=$1 append=$2 mode=${3:-wall}; shift 3
  local armvmm=${ARMVMM:-build/armvmm} timing=()
  case "$mode" in
    icount) timing=(--icount) ;;
    wall) ;;
    *) echo "boot: unknown mode '$mode'" >&2; return 2 ;;
  esac
  [ -x "$armvmm" ] || { echo "boot: $armvmm not built (run make)" >&2; return 2; }
  "$armvmm" run "$@" "${timing[@]}" --dtb "$dir/integratorcp.dtb" \
    --initrd "$dir/initramfs.cpio.gz" --append "$append" "$dir/vmlinux" </dev/null
}

boot_native() {
  boot_armvmm "$1" "$2" "${3:-wall}" --native
}

# ARMVMM_LINUX_BOOT overrides the VMM command: it receives DIR, APPEND and MODE as $1 $2 $3.
boot_vmm() {
  if [ -n "${ARMVMM_LINUX_BOOT:-}" ]; then
    bash -c "$ARMVMM_LINUX_BOOT" boot_vmm "$1" "$2" "${3:-wall}" </dev/null
    return
  fi
  boot_armvmm "$1" "$2" "${3:-wall}"
}
