/* Virtual machines and virtual CPUs: every piece of guest state hangs off these structures. */
#ifndef ARMVMM_VM_H
#define ARMVMM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "bootinfo.h"
#include "pte.h"
#include "stats.h"
#include "trace.h"
#include "trap.h"

#define MAX_VMS BOOTINFO_MAX_VMS

struct vm;

struct vcpu {
    struct vm *vm;
    struct trap_frame regs;   /* the guest's registers while it is not on the CPU */
    uint32_t vcpsr;           /* virtual CPSR: mode, I, F, T (the flags live in regs.cpsr) */
};

enum vm_state { VM_FREE, VM_RUNNABLE, VM_ENDED };

struct vm {
    unsigned id;
    char name[BOOTINFO_NAME_LEN];
    enum vm_state state;
    uint32_t exit_status;
    gpa_t ram_gpa;            /* always 0: the board's RAM base */
    hpa_t ram_hpa;
    uint32_t ram_size;
    bool uart0_passthrough;
    uint32_t *l1;             /* the real L1 table this VM runs on */
    struct vcpu vcpu;
    struct trap_stats stats;
    struct trace_ring trace;
};

void vm_init(struct vm *vm, unsigned id, const struct bootinfo_vm *bi);

/* The VM ends with a status (guest exit) or is stopped by the VMM with a reason. */
_Noreturn void vm_exit(struct vm *vm, uint32_t status);
_Noreturn void vm_stop(struct vm *vm, const struct trap_frame *frame, const char *fmt, ...);


#endif
