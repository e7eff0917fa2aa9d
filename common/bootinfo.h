/* Boot information: how `armvmm run` tells the VMM what to run.  The host tool writes this
 * structure into a file that QEMU's generic loader places at BOOTINFO_HPA, and loads each
 * guest segment directly into its VM's RAM region.  The VMM validates everything it reads here
 * (a corrupt block stops the VMM with a message, never a crash). */
#ifndef ARMVMM_BOOTINFO_H
#define ARMVMM_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_MAGIC     0x4d4d5641u  /* "AVMM" */
#define BOOTINFO_VERSION   3u
#define BOOTINFO_MAX_VMS   4u
#define BOOTINFO_NAME_LEN  16u

/* bootinfo.flags */
#define BOOT_FLAG_STATS    (1u << 0)   /* print trap statistics at exit (--stats) */
#define BOOT_FLAG_TRACE    (1u << 1)   /* keep and print a trap trace (--trace) */
#define BOOT_FLAG_STATS_ALL (1u << 2)  /* with STATS: list every emulated site (--stats-all) */

/* bootinfo_vm.passthrough: devices whose page is mapped straight into the VM (--passthrough) */
#define BOOT_PASSTHROUGH_UART0  (1u << 0)
#define BOOT_PASSTHROUGH_UART1  (1u << 1)
#define BOOT_PASSTHROUGH_ALL    (BOOT_PASSTHROUGH_UART0 | BOOT_PASSTHROUGH_UART1)

struct bootinfo_vm {
    uint32_t ram_hpa;        /* host-physical base of this VM's RAM (VM_RAM_ALIGN aligned) */
    uint32_t ram_size;       /* bytes */
    uint32_t entry;          /* guest-physical entry point, entered in virtual SVC mode */
    uint32_t r0, r1, r2;     /* registers at entry (Linux boot protocol later) */
    uint32_t uart0_passthrough; /* 1: as BOOT_PASSTHROUGH_UART0 in passthrough (kept for layout) */
    char     name[BOOTINFO_NAME_LEN];
    uint32_t passthrough;    /* BOOT_PASSTHROUGH_*: pages mapped straight into the VM (version 2) */
    /* The trampoline region (common/fastpath.h; version 3): where its code runs, its guest-
     * physical base, its size (0: no trampolines). */
    uint32_t fast_va, fast_gpa, fast_size;
};

struct bootinfo {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_vms;
    struct bootinfo_vm vm[BOOTINFO_MAX_VMS];
};

/* Exit statuses of a run under the VMM, besides the guest's own (documented in README). */
#define EXIT_VM_STOPPED    125u   /* the VMM stopped the VM (unhandled trap, bad guest) */
#define EXIT_VMM_PANIC     126u   /* the VMM itself failed */

/* ARM semihosting, as QEMU implements it (the guest's exit, the VMM's log and exit). */
#define SEMIHOST_SVC_IMM            0x123456u
#define SEMIHOST_SYS_WRITE0         0x04u
#define SEMIHOST_SYS_EXIT           0x18u
#define SEMIHOST_SYS_EXIT_EXTENDED  0x20u
#define SEMIHOST_ADP_APP_EXIT       0x20026u  /* ADP_Stopped_ApplicationExit */

#endif
