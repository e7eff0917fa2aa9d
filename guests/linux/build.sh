#!/usr/bin/env bash
# Builds (or finds in the cache) the armvmm Linux 6.1 guest for one variant:
#   guests/linux/build.sh [default|alt] [LINK]
# Output directory ${ARMVMM_CACHE:-$HOME/.cache/armvmm}/linux/<variant>-<hash> holds vmlinux,
# zImage, integratorcp.dtb, initramfs.cpio.gz (hard links to the kernel and initramfs caches),
# config, version.txt and inputs.txt; <hash> covers every input of both parts and this script.
# With LINK (make passes $(BUILD)/linux/<variant>), LINK becomes a symbolic link to that
# directory. The last line printed on stdout is the directory.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

variant=${1:-default}
link=${2:-}
t0=$(date +%s.%N)
kdir=$(bash "$LINUX_GUEST_DIR/kernel.sh" "$variant")
idir=$(bash "$LINUX_GUEST_DIR/initramfs.sh")

hash=$( { printf '%s\n%s\n' "${kdir##*/}" "${idir##*/}"; file_digests "$LINUX_GUEST_DIR/build.sh"; } |
        short_hash)
out="$CACHE_ROOT/$variant-$hash"
if [ ! -f "$out/initramfs.cpio.gz" ]; then
  tmp="$out.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  for f in vmlinux zImage integratorcp.dtb config version.txt; do
    ln "$kdir/$f" "$tmp/$f" 2>/dev/null || cp "$kdir/$f" "$tmp/$f"
  done
  ln "$idir/initramfs.cpio.gz" "$tmp/initramfs.cpio.gz" 2>/dev/null ||
    cp "$idir/initramfs.cpio.gz" "$tmp/initramfs.cpio.gz"
  {
    printf '# kernel: %s\n' "$kdir"; cat "$kdir/inputs.txt"
    printf '# initramfs: %s\n' "$idir"; cat "$idir/inputs.txt"
  } >"$tmp/inputs.txt"
  cp "$idir/files.txt" "$tmp/initramfs-files.txt"
  rm -rf "$out"
  mv "$tmp" "$out"
fi

if [ -n "$link" ]; then
  mkdir -p "$(dirname "$link")"
  ln -sfn "$out" "$link"
fi
log "$variant: $(sed -n 's/^linux-source package: //p' "$out/version.txt"), ready in" \
    "$(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s: $out"
printf '%s\n' "$out"
