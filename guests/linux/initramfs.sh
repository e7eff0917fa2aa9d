#!/usr/bin/env bash
# Builds the armvmm Linux guest initramfs and prints its directory (holding initramfs.cpio.gz):
#   guests/linux/initramfs.sh
# Contents: Debian's busybox-static:armel (downloaded with apt-get download and unpacked with
# dpkg -x, never installed), rootfs/init and its helper scripts, and the project's programs in
# programs/*.c built with arm-linux-gnueabi-gcc -static -O2 into /armvmm. /dev/console comes from
# the kernel's built-in default initramfs (CONFIG_INITRAMFS_SOURCE=""), which this one extends.
# Independent of the kernel (own hash): changing a test program does not rebuild the kernel.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_cmd "${CROSS}gcc" cpio gzip dpkg-deb apt-get flock

# --- busybox: the candidate version apt knows, downloaded once into the cache -----------------
debs="$CACHE_ROOT/debs"
bb_ver=$(apt-cache policy busybox-static:armel 2>/dev/null | awk '/Candidate:/ {print $2}')
if [ -z "$bb_ver" ] || [ "$bb_ver" = "(none)" ]; then
  # No armel package lists (setup not run?): fall back to a deb already in the cache.
  bb_deb=$(ls -1 "$debs"/busybox-static_*_armel.deb 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$bb_deb" ] || die "busybox-static:armel unknown to apt: run 'bash scripts/setup.sh linux'"
else
  bb_deb="$debs/busybox-static_${bb_ver#*:}_armel.deb"
fi
if [ ! -f "$bb_deb" ]; then
  take_lock
  log "downloading busybox-static:armel $bb_ver"
  mkdir -p "$debs"
  dl=$(mktemp -d "$debs/dl.XXXXXX")
  sandbox=(); [ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)   # _apt cannot reach $HOME
  (cd "$dl" && apt-get download -q "${sandbox[@]}" "busybox-static:armel=$bb_ver" >&2)
  mv "$dl"/busybox-static_*_armel.deb "$bb_deb"
  rmdir "$dl"
fi
bb_ver=$(dpkg-deb -f "$bb_deb" Version)

programs=("$LINUX_GUEST_DIR"/programs/*.c)
headers=("$LINUX_GUEST_DIR"/programs/*.h)
scripts=("$LINUX_GUEST_DIR/rootfs/init" "$LINUX_GUEST_DIR/rootfs/run-tests"
         "$LINUX_GUEST_DIR/rootfs/run-bench")
CFLAGS=(-static -O2 -marm -Wall -Wextra -Werror)

manifest() {
  printf 'busybox-static:armel %s %s\n' "$bb_ver" "$(sha256sum <"$bb_deb" | cut -c1-64)"
  toolchain_manifest
  printf 'cflags %s\n' "${CFLAGS[*]}"
  printf 'cpio %s\n' "$(cpio --version | head -1)"
  file_digests "${programs[@]}" "${headers[@]}" "${scripts[@]}" \
    "$LINUX_GUEST_DIR/initramfs.sh" "$LINUX_GUEST_DIR/lib.sh"
}
hash=$(manifest | short_hash)
out="$CACHE_ROOT/initramfs/$hash"
if [ -f "$out/initramfs.cpio.gz" ]; then
  printf '%s\n' "$out"
  exit 0
fi

take_lock
if [ -f "$out/initramfs.cpio.gz" ]; then printf '%s\n' "$out"; exit 0; fi
log "initramfs: busybox-static:armel $bb_ver, ${#programs[@]} programs, inputs hash $hash"
tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
manifest >"$tmp/inputs.txt"
root="$tmp/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,armvmm}

x="$tmp/busybox-deb"
dpkg -x "$bb_deb" "$x"
[ -x "$x/bin/busybox" ] || die "no bin/busybox in $bb_deb"
cp "$x/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

for src in "${programs[@]}"; do
  name=$(basename "$src" .c)
  log "  ${CROSS}gcc ${CFLAGS[*]} $name.c"
  "${CROSS}gcc" "${CFLAGS[@]}" -o "$root/armvmm/$name" "$src" ||
    die "compiling $src failed"
done
install -m 0755 "$LINUX_GUEST_DIR/rootfs/init" "$root/init"
install -m 0755 "$LINUX_GUEST_DIR/rootfs/run-tests" "$LINUX_GUEST_DIR/rootfs/run-bench" \
  "$root/armvmm/"
chmod 0755 "$root/armvmm"/* "$root/bin/busybox"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"

# Reproducible archive: sorted names, owner root, one fixed mtime, gzip without a timestamp.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
   cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) | gzip -9 -n \
  >"$tmp/initramfs.cpio.gz"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort) >"$tmp/files.txt"
rm -rf "$root" "$x"
rm -rf "$out"
mv "$tmp" "$out"
log "initramfs: $(stat -c %s "$out/initramfs.cpio.gz") bytes in $out"
printf '%s\n' "$out"
