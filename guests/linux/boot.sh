# shellcheck shell=bash
# Boot commands for the Linux guest, shared by guests/linux/test.sh and bench/run.sh (sourced).
# Each boot_<where> function boots the build in directory $1 (vmlinux, zImage, integratorcp.dtb,
# initramfs.cpio.gz) with kernel command line $2 and timing mode $3:
#   icount  deterministic: one guest instruction = 1 ns (-icount shift=0,sleep=off)
#   wall    wall-clock time (single-threaded TCG)
# The console goes to stdout, standard input is /dev/null, and the guest's `reboot -f` ends the
# machine with status 0. Callers wrap them in `timeout`.

LINUX_QEMU=${LINUX_QEMU:-qemu-system-arm}

boot_native() {
  local dir=$1 append=$2 mode=${3:-wall} timing
  case "$mode" in
    icount) timing=(-icount shift=0,sleep=off) ;;
    wall) timing=(-accel tcg,thread=single) ;;
    *) echo "boot_native: unknown mode '$mode'" >&2; return 2 ;;
  esac
  "$LINUX_QEMU" -M integratorcp -cpu arm926 -m 128 "${timing[@]}" \
    -kernel "$dir/zImage" -dtb "$dir/integratorcp.dtb" -initrd "$dir/initramfs.cpio.gz" \
    -append "$append" -nographic -no-reboot -audiodev none,id=a -global pl041.audiodev=a \
    </dev/null
}

# Under the VMM (issue: Linux under the VMM / benchmarks). The VMM loads vmlinux itself; the
# command is a template until `armvmm run` has its Linux options: override it with
# ARMVMM_LINUX_BOOT, a command that receives DIR, APPEND and MODE as $1 $2 $3.
boot_vmm() {
  local dir=$1 append=$2 mode=${3:-wall}
  if [ -n "${ARMVMM_LINUX_BOOT:-}" ]; then
    bash -c "$ARMVMM_LINUX_BOOT" boot_vmm "$dir" "$append" "$mode" </dev/null
    return
  fi
  local armvmm=${ARMVMM:-build/armvmm} timing=()
  [ "$mode" = icount ] && timing=(--icount)
  [ -x "$armvmm" ] || { echo "boot_vmm: $armvmm not built" >&2; return 2; }
  "$armvmm" run "${timing[@]}" --dtb "$dir/integratorcp.dtb" \
    --initrd "$dir/initramfs.cpio.gz" --append "$append" "$dir/vmlinux" </dev/null
}
