/* `armvmm run`: boot a guest under the VMM (or natively, --native) on QEMU's integratorcp. */
#ifndef ARMVMM_RUN_H
#define ARMVMM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bootinfo.h"
#include "guest_image.h"
#include "linux_boot.h"
#include "trampoline.h"

struct run_options {
    unsigned timeout_s;   /* 0: none */
    unsigned mem_mb;
    bool icount, stats, trace, gdb, native;
    bool stats_all;           /* --stats-all: --stats listing every emulated site */
    bool no_fastpath;         /* --no-fastpath: every CPSR proxy traps */
    const char *dtb, *initrd, *append;   /* Linux kernels only */
    const char *guest;
    const char *serial1;      /* --serial1: the file UART1 writes to (NULL: nowhere) */
    uint32_t passthrough;     /* --passthrough: BOOT_PASSTHROUGH_* (under the VMM only) */
};

/* What runs in the VM: the loaded image, registers at entry, where a kernel's extras go. */
struct run_plan {
    enum guest_kind kind;
    struct guest_image img;
    uint32_t ram_size;
    uint32_t r0, r1, r2;
    struct linux_layout linux;
};

/* Classifies and loads opt->guest; -1 with err when it cannot run. */
int run_plan_guest(const struct run_options *opt, struct run_plan *plan, char *err,
                   size_t errlen);

/* Parses argv (after "run"); on error returns -1 with a message in err. */
int run_parse_args(int argc, char **argv, struct run_options *opt, char *err, size_t errlen);

/* One VM of a run: `armvmm run [options] GUEST [--vm [VM options] GUEST]...`. */
struct run_vm {
    struct run_options opt;   /* the run-wide options are meaningful in vms[0] only */
    struct run_plan plan;
    uint32_t ram_hpa;         /* where its RAM goes in the VM pool */
    char image[4096];         /* what is loaded: the patched copy of opt.guest */
    struct fastpath_link link;/* its trampolines (link.image NULL: none) */
};

/* Splits argv at each --vm into per-VM options (run-wide ones only before the first GUEST),
 * plans every guest and gives each VM its RAM in the pool.  Returns the number of VMs, 0 for
 * --help, -1 with a message in err. */
int run_parse_vms(int argc, char **argv, struct run_vm *vms, unsigned max, char *err,
                  size_t errlen);

/* The boot information for the n VMs. */
void run_fill_bootinfo(const struct run_vm *vms, unsigned n, struct bootinfo *bi);

int cmd_run(int argc, char **argv);
void run_usage(FILE *to);

#endif
