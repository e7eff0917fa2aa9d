#!/usr/bin/env bash
# Installs, by Debian package name and only when missing, what armvmm needs.
#   scripts/setup.sh            build + test + demo packages
#   scripts/setup.sh linux      also the Linux guest build packages (brief §3)
# Idempotent and quiet when everything is present, so every make target may call it.
set -euo pipefail

base_pkgs=(
  make gcc pkg-config
  gcc-arm-none-eabi binutils-arm-none-eabi   # the freestanding VMM and test guests
  qemu-system-arm                            # the board
  libcmocka-dev                              # host unit-test framework
  libelf-dev                                 # ELF I/O in the host tools
  libcapstone-dev                            # decoder test oracle
  device-tree-compiler libfdt-dev            # DTBs for Linux guests
  gdb-multiarch                              # --gdb
  gcovr                                      # make coverage
)
linux_pkgs=(
  linux-source-6.1 gcc-arm-linux-gnueabi
  libc6-dev-armel-cross                      # armel glibc headers + static libs (only a Recommends)
  bc bison flex perl xz-utils cpio libssl-dev kmod
)
bench_pkgs=(gnuplot-nox)

want=("${base_pkgs[@]}")
for group in "$@"; do
  case "$group" in
    linux) want+=("${linux_pkgs[@]}") ;;
    bench) want+=("${bench_pkgs[@]}") ;;
    *) echo "setup.sh: unknown package group '$group' (known: linux, bench)" >&2; exit 2 ;;
  esac
done

# The Linux guest's user space is Debian's static ARMv5 busybox (busybox-static:armel). It is only
# downloaded and unpacked by guests/linux/initramfs.sh, never installed; here the armel
# architecture is added and the package lists refreshed, once, so that apt can see it.
linux_armel() {
  local sudo="" have_arch=0
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  dpkg --print-foreign-architectures | grep -qx armel && have_arch=1
  if [ $have_arch -eq 0 ]; then
    echo "setup: dpkg --add-architecture armel (for busybox-static:armel)" >&2
    $sudo dpkg --add-architecture armel
  fi
  # Fast path (every make run): armel package lists already present.
  if [ $have_arch -eq 1 ] && compgen -G "/var/lib/apt/lists/*_binary-armel_Packages*" >/dev/null; then
    return 0
  fi
  echo "setup: apt-get update (armel package lists)" >&2
  $sudo apt-get update -qq >&2
  apt-cache show busybox-static:armel >/dev/null 2>&1 ||
    { echo "setup: busybox-static:armel not available from apt" >&2; exit 1; }
}
case " $* " in *" linux "*) linux_armel ;; esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
