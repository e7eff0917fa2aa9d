#!/usr/bin/env bash
# armvmm micro-benchmark runner: boots the Linux guest with armvmm.bench=1, collects the
# "BENCH name iterations=N usec_per_op=X" lines, repeats each configuration, takes medians and
# writes a table.
#
#   bench/run.sh --linux DIR [--out DIR] [--runs N] [--modes "icount wall"]
#                [--columns "native vmm"] [--scale K] [--timeout S]
#
#   --linux DIR   a Linux guest build (vmlinux zImage integratorcp.dtb initramfs.cpio.gz)
#   --out DIR     results: results.md, results.csv (medians), raw.csv, logs/   (build/bench)
#   --runs N      boots per column and mode (3); the median of the runs is reported
#   --modes       icount: QEMU -icount shift=0,sleep=off, deterministic, 1 instruction = 1 ns;
#                 wall: wall-clock time (-accel tcg,thread=single). Default both.
#   --columns     where the guest runs: "native" (QEMU, bare board) and/or "vmm" (under armvmm;
#                 boot_vmm in guests/linux/boot.sh). Default native. The ratio columns (vmm/native)
#                 appear when both are measured.
#   --scale K     divide the guest's iteration counts by K (armvmm.benchscale=K)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo/guests/linux/boot.sh"

linux="" out="build/bench" runs=3 modes="icount wall" columns="native" scale=1 timeout=600
while [ $# -gt 0 ]; do
  case "$1" in
    --linux) linux=$2; shift ;;
    --out) out=$2; shift ;;
    --runs) runs=$2; shift ;;
    --modes) modes=$2; shift ;;
    --columns) columns=$2; shift ;;
    --scale) scale=$2; shift ;;
    --timeout) timeout=$2; shift ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$linux" ] && [ -f "$linux/initramfs.cpio.gz" ] ||
  { echo "bench/run.sh: no Linux build in '$linux' (--linux DIR)" >&2; exit 2; }
mkdir -p "$out/logs"
raw="$out/raw.csv"
echo "column,mode,run,bench,iterations,usec_per_op" >"$raw"
append="console=ttyAMA0 armvmm.bench=1 armvmm.benchscale=$scale"

for col in $columns; do
  declare -F "boot_$col" >/dev/null || { echo "bench/run.sh: no boot_$col in boot.sh" >&2; exit 2; }
  for mode in $modes; do
    for run in $(seq "$runs"); do
      log="$out/logs/$col-$mode-$run.log"
      printf 'bench: %-6s %-6s run %d/%d ... ' "$col" "$mode" "$run" "$runs"
      start=$(date +%s.%N)
      rc=0
      timeout -k 5 "$timeout" bash -c '. "$1"; boot_'"$col"' "$2" "$3" "$4"' _ \
        "$repo/guests/linux/boot.sh" "$linux" "$append" "$mode" >"$log" 2>&1 || rc=$?
      secs=$(echo "$(date +%s.%N) - $start" | bc)
      if [ $rc -ne 0 ] || ! tr -d '\r' <"$log" | grep -qx 'BENCH DONE status=0'; then
        echo "FAILED (exit status $rc)"
        echo "----- console transcript ($log) -----"
        tr -d '\r' <"$log"
        exit 1
      fi
      tr -d '\r' <"$log" | awk -v c="$col" -v m="$mode" -v r="$run" '
        $1 == "BENCH" && $2 != "DONE" {
          it = ""; us = ""
          for (i = 3; i <= NF; i++) {
            if ($i ~ /^iterations=/) it = substr($i, 12)
            if ($i ~ /^usec_per_op=/) us = substr($i, 13)
          }
          print c "," m "," r "," $2 "," it "," us
        }' >>"$raw"
      printf '%.1f s\n' "$secs"
    done
  done
done

# Medians per (column, mode, bench), in the order the guest ran the benchmarks.
results="$out/results.csv"
awk -F, 'NR > 1 {
    k = $1 "," $2 "," $4
    if (!(k in n)) order[++nk] = k
    v[k, ++n[k]] = $6; it[k] = $5
  }
  END {
    print "column,mode,bench,iterations,runs,median_usec_per_op,min,max"
    for (j = 1; j <= nk; j++) {
      k = order[j]; m = n[k]
      for (a = 1; a <= m; a++) s[a] = v[k, a] + 0
      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
      med = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
      printf "%s,%s,%d,%.4f,%.4f,%.4f\n", k, it[k], m, med, s[1], s[m]
    }
  }' "$raw" >"$results"

# Markdown table: one row per benchmark, one column per (column, mode), plus vmm/native ratios.
md="$out/results.md"
{
  echo "# armvmm micro-benchmarks"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); runs per cell: $runs (median); iteration divisor: $scale"
  echo "- guest: $(sed -n 's/^linux-source package: //p' "$linux/version.txt" 2>/dev/null), variant $(sed -n 's/^variant: //p' "$linux/version.txt" 2>/dev/null), build $(basename "$(readlink -f "$linux")")"
  echo "- $(qemu-system-arm --version | head -1)"
  echo "- icount: -icount shift=0,sleep=off (1 guest instruction = 1 ns: µs = thousands of instructions); wall: -accel tcg,thread=single on $(nproc) cores"
  echo
  awk -F, -v cols="$columns" -v modes="$modes" 'NR > 1 {
      if (!($3 in seen)) { seen[$3] = 1; order[++nb] = $3 }
      med[$1, $2, $3] = $6; have[$1, $2, $3] = 1
    }
    END {
      nc = split(cols, C, " "); nm = split(modes, M, " ")
      hdr = "| benchmark (µs per op) |"; sep = "|---|"
      for (i = 1; i <= nc; i++) for (j = 1; j <= nm; j++) { hdr = hdr " " C[i] " " M[j] " |"; sep = sep "---:|" }
      hasv = index(" " cols " ", " vmm ") && index(" " cols " ", " native ")
      if (hasv) for (j = 1; j <= nm; j++) { hdr = hdr " vmm/native " M[j] " |"; sep = sep "---:|" }
      print hdr; print sep
      for (b = 1; b <= nb; b++) {
        row = "| " order[b] " |"
        for (i = 1; i <= nc; i++) for (j = 1; j <= nm; j++)
          row = row " " (have[C[i], M[j], order[b]] ? sprintf("%.3f", med[C[i], M[j], order[b]]) : "–") " |"
        if (hasv) for (j = 1; j <= nm; j++) {
          n = med["native", M[j], order[b]]; v = med["vmm", M[j], order[b]]
          row = row " " ((n > 0 && v > 0) ? sprintf("%.2f", v / n) : "–") " |"
        }
        print row
      }
    }' "$results"
  echo
  # icount runs should be bit-identical; say so (or not) per column.
  for col in $columns; do
    [[ " $modes " == *" icount "* ]] && [ "$runs" -gt 1 ] || continue
    distinct=$(awk -F, -v c="$col" '$1 == c && $2 == "icount" { r[$3] = r[$3] $4 "=" $6 ";" }
                END { for (k in r) print r[k] }' "$raw" | sort -u | wc -l)
    if [ "$distinct" -le 1 ]; then
      echo "$col icount: the $runs runs gave identical figures."
    else
      echo "$col icount: the $runs runs differ (see raw.csv)."
    fi
  done
  echo
  echo "Benchmarks: syscall = getppid(); pipe = 1-byte round trip between two processes over two"
  echo "pipes; ctxsw = sched_yield between two SCHED_FIFO processes, per switch; fork_exit = fork +"
  echo "child _exit + waitpid; fork_exec = fork + execve of a static glibc hello + waitpid;"
  echo "pagefault = first write to a fresh anonymous page (allocate + zero), per page."
} >"$md"

echo
cat "$md"
echo
echo "bench: results in $md, $results, $raw (console logs in $out/logs)"
