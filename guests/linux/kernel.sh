#!/usr/bin/env bash
# Builds the armvmm Linux 6.1 guest kernel for one variant and prints the output directory:
#   guests/linux/kernel.sh [default|alt]
# Output (cached, keyed by a hash of every input): vmlinux, zImage, integratorcp.dtb (timer clock
# fixed to QEMU's 40 MHz), config, version.txt, build.log.
# The kernel is Debian's linux-source-6.1 exactly as shipped: integrator_defconfig + the
# fragments in config/, merged with the tree's own merge_config.sh. No source patch, ever.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

variant=${1:-default}
fragments=("$LINUX_GUEST_DIR/config/base.config")
case "$variant" in
  default) ;;
  alt) fragments+=("$LINUX_GUEST_DIR/config/alt.config") ;;
  *) die "unknown variant '$variant' (known: default, alt)" ;;
esac

need_cmd "${CROSS}gcc" make bc bison flex perl xz cpio fdtput fdtget flock
src_ver=$(pkg_version "$SRC_PKG")
[ -n "$src_ver" ] || die "$SRC_PKG not installed: run 'bash scripts/setup.sh linux'"

manifest() {
  printf 'kernel-variant %s\n' "$variant"
  printf '%s %s\n' "$SRC_PKG" "$src_ver"
  printf 'tarball-size %s\n' "$(stat -c %s "$SRC_TARBALL")"
  toolchain_manifest
  printf 'host-gcc %s\n' "$(gcc --version | head -1)"
  printf 'dtc-pkg %s\n' "$(pkg_version device-tree-compiler)"
  file_digests "${fragments[@]}" "$LINUX_GUEST_DIR/kernel.sh" "$LINUX_GUEST_DIR/lib.sh"
}
hash=$(manifest | short_hash)
out="$CACHE_ROOT/kernel/$variant-$hash"
if [ -f "$out/zImage" ]; then
  printf '%s\n' "$out"
  exit 0
fi

take_lock
if [ -f "$out/zImage" ]; then printf '%s\n' "$out"; exit 0; fi   # built while we waited

src=$(linux_src_tree)
obj="$CACHE_ROOT/obj/$variant"
# The object tree is reused between builds of a variant (kbuild rebuilds what changed); it is
# wiped when it belongs to another source version.
if [ "$(cat "$obj/.armvmm-src" 2>/dev/null)" != "$src" ]; then
  rm -rf "$obj"
  mkdir -p "$obj"
  printf '%s\n' "$src" >"$obj/.armvmm-src"
fi
tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
manifest >"$tmp/inputs.txt"
buildlog="$tmp/build.log"

# Reproducible identification strings (uname -v).
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2015"
export KBUILD_BUILD_USER=armvmm KBUILD_BUILD_HOST=armvmm KBUILD_BUILD_VERSION=1
kmake() { make -C "$src" O="$obj" ARCH=arm CROSS_COMPILE="$CROSS" "$@"; }

log "kernel $variant: $SRC_PKG $src_ver, $("${CROSS}gcc" --version | head -1), inputs hash $hash"
log "configuring: integrator_defconfig + ${fragments[*]##*/}"
(
  cd "$src"
  ARCH=arm CROSS_COMPILE="$CROSS" scripts/kconfig/merge_config.sh -m -O "$obj" \
    arch/arm/configs/integrator_defconfig "${fragments[@]}"
  kmake olddefconfig
) >>"$buildlog" 2>&1 || { tail -40 "$buildlog" >&2; die "configuration failed (log: $buildlog)"; }

# Every symbol of the fragments (the last fragment wins) must have that value in .config.
declare -A want=()
order=()
for f in "${fragments[@]}"; do
  while IFS= read -r line; do
    if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
      sym=${BASH_REMATCH[1]}; val=${BASH_REMATCH[2]}
    elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
      sym=${BASH_REMATCH[1]}; val=n
    else
      continue
    fi
    [ -n "${want[$sym]+x}" ] || order+=("$sym")
    want[$sym]=$val
  done <"$f"
done
bad=0
for sym in "${order[@]}"; do
  val=${want[$sym]}
  got=$(grep -E "^$sym=" "$obj/.config" | head -1 | cut -d= -f2- || true)
  [ -n "$got" ] || got=n
  if [ "$got" != "$val" ]; then
    printf '[linux] config symbol %s: fragment wants %s, .config has %s\n' "$sym" "$val" "$got" >&2
    bad=1
  fi
done
[ $bad -eq 0 ] || die "the config fragment did not stick (see above); fix config/*.config"
log "config verified: ${#order[@]} fragment symbols have their values"
cp "$obj/.config" "$tmp/config"

jobs=$(nproc)
log "building zImage + dtbs with -j$jobs (log: $buildlog; a progress line every 30 s)"
start=$(date +%s)
kmake -j"$jobs" zImage dtbs >>"$buildlog" 2>&1 &
mpid=$!
while kill -0 "$mpid" 2>/dev/null; do
  for _ in $(seq 30); do kill -0 "$mpid" 2>/dev/null || break; sleep 1; done
  kill -0 "$mpid" 2>/dev/null || break
  log "  ... $(( $(date +%s) - start )) s, $(grep -c '^  [A-Z]' "$buildlog" || true) steps, last: $(tail -1 "$buildlog" | cut -c1-70)"
done
if ! wait "$mpid"; then
  tail -60 "$buildlog" >&2
  die "kernel build failed (log: $buildlog)"
fi
log "kernel built in $(( $(date +%s) - start )) s"

cp "$obj/vmlinux" "$obj/arch/arm/boot/zImage" "$tmp/"
dtb="$tmp/integratorcp.dtb"
cp "$obj/arch/arm/boot/dts/integratorcp.dtb" "$dtb"
# QEMU clocks Integrator/CP timer 0 at 40 MHz while the DTS says 25 MHz (brief §3).
fdtget "$dtb" /xtal25mhz@25M clock-frequency >/dev/null || die "node /xtal25mhz@25M not in the DTB"
fdtput -t i "$dtb" /xtal25mhz@25M clock-frequency 40000000
[ "$(fdtget -t i "$dtb" /xtal25mhz@25M clock-frequency)" = 40000000 ] || die "fdtput did not stick"

{
  printf 'linux-source package: %s %s\n' "$SRC_PKG" "$src_ver"
  printf 'kernel release: %s\n' "$(kmake -s kernelrelease 2>/dev/null)"
  printf 'variant: %s\ninputs hash: %s\n' "$variant" "$hash"
  printf 'compiler: %s\n' "$("${CROSS}gcc" --version | head -1)"
  printf 'vmlinux size:\n%s\n' "$(cd "$tmp" && "${CROSS}size" vmlinux)"
} >"$tmp/version.txt"
rm -rf "$out"
mv "$tmp" "$out"
log "kernel outputs in $out"
printf '%s\n' "$out"
