# shellcheck shell=bash
# Shared helpers for the Linux guest build (sourced by kernel.sh, initramfs.sh, build.sh).
# Everything built lands in the cache OUTSIDE the clone:
#   ${ARMVMM_CACHE:-$HOME/.cache/armvmm}/linux/
#     src/<pkgver>/linux-source-6.1   extracted Debian linux-source tarball (pristine, never patched)
#     obj/<variant>/                  kbuild object tree (O=), reused between builds of a variant
#     kernel/<variant>-<hash>/        vmlinux zImage integratorcp.dtb config version.txt build.log
#     initramfs/<hash>/               initramfs.cpio.gz (+ the file list)
#     debs/                           busybox-static armel .deb files (downloaded, never installed)
#     <variant>-<hash>/               the assembled outputs (hard links) = LINUX_OUT
# A directory named by a hash exists only when it is complete (built in a temporary directory and
# renamed), so its presence is the cache hit.

LINUX_GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LINUX_GUEST_DIR/../.." && pwd)
CACHE_ROOT=${ARMVMM_CACHE:-$HOME/.cache/armvmm}/linux
CROSS=arm-linux-gnueabi-
SRC_PKG=linux-source-6.1
SRC_TARBALL=/usr/src/linux-source-6.1.tar.xz

log() { printf '[linux %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[linux] ERROR: %s\n' "$*" >&2; exit 1; }

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

# sha256 of stdin, first 16 hex digits.
short_hash() { sha256sum | cut -c1-16; }

# "path sha256" lines for the given files (in the order given), for input manifests.
file_digests() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || die "missing input file $f"
    printf '%s %s\n' "${f#"$REPO_ROOT"/}" "$(sha256sum <"$f" | cut -c1-64)"
  done
}

toolchain_manifest() {
  printf 'cross-gcc %s\n' "$("${CROSS}gcc" --version | head -1)"
  printf 'cross-gcc-pkg %s\n' "$(pkg_version gcc-12-arm-linux-gnueabi)"
  printf 'cross-binutils-pkg %s\n' "$(pkg_version binutils-arm-linux-gnueabi)"
  printf 'cross-libc-pkg %s\n' "$(pkg_version libc6-dev-armel-cross)"
}

# Serialise builds sharing the cache (two make targets, two sessions) on one lock file.
take_lock() {
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/.lock"
  if ! flock -n 9; then
    log "waiting for another build holding $CACHE_ROOT/.lock"
    flock 9
  fi
}

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' not found: run 'bash scripts/setup.sh linux'"
  done
}

# Extracts the installed linux-source tarball once per package version; prints the tree's path.
linux_src_tree() {
  local ver dir
  ver=$(pkg_version "$SRC_PKG")
  [ -n "$ver" ] && [ -f "$SRC_TARBALL" ] || die "$SRC_PKG not installed: run 'bash scripts/setup.sh linux'"
  dir="$CACHE_ROOT/src/$ver"
  if [ ! -f "$dir/.extracted" ]; then
    log "extracting $SRC_TARBALL ($SRC_PKG $ver) into $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -C "$dir" -xJf "$SRC_TARBALL"
    [ -f "$dir/linux-source-6.1/Makefile" ] || die "unexpected tarball layout in $SRC_TARBALL"
    touch "$dir/.extracted"
    # An extracted tree is 1.5 GB: drop those of older package versions.
    find "$CACHE_ROOT/src" -mindepth 1 -maxdepth 1 ! -name "$ver" -exec rm -rf {} +
  fi
  printf '%s\n' "$dir/linux-source-6.1"
}
