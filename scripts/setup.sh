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
