/* Virtual machines and virtual CPUs: every piece of guest state hangs off these structures. */
#ifndef ARMVMM_VM_H
#define ARMVMM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "bootinfo.h"
#include "pte.h"
#include "shadow.h"
#include "stats.h"
#include "trace.h"
#include "trap.h"
#include "vboard.h"
#include "vcpu.h"
#include "vcpu_shared.h"

#define MAX_VMS BOOTINFO_MAX_VMS

enum vm_state { VM_FREE, VM_RUNNABLE, VM_WAITING, VM_ENDED };

struct vm {
    unsigned id;
    char name[BOOTINFO_NAME_LEN];
    enum vm_state state;
    uint32_t exit_status;
    gpa_t ram_gpa;            /* always 0: the board's RAM base */
    hpa_t ram_hpa;
    uint32_t ram_size;
    uint32_t passthrough;     /* BOOT_PASSTHROUGH_*: device pages mapped straight in */
    struct shadow shadow;     /* the real page tables this VM runs on */
    struct vcpu vcpu;
    struct vcpu_shared shared; /* its page shared with the guest kernel (trampolines) */
    struct trap_stats stats;
    struct trace_ring trace;
    struct vboard board;      /* its virtual Integrator/CP devices */
    uint32_t device_writes;   /* guest writes to them (trap.c: which traps need the clock) */
    char line[128];           /* console output being collected when VMs share the terminal */
    unsigned line_len;
};

void vm_init(struct vm *vm, unsigned id, const struct bootinfo_vm *bi);

/* The guest MMU state of the virtual CP15, as the walker takes it. */
void vcpu_gptw_mmu(const struct vcpu *v, struct gptw_mmu *mmu);

/* Gives the guest the abort its own MMU would raise: virtual IFSR (prefetch) or DFSR/FAR, then
 * the exception, with the hardware's link for the instruction at f->pc. */
void vcpu_deliver_abort(struct vcpu *v, struct trap_frame *f, bool prefetch, uint32_t fsr,
                        uint32_t far);

/* Acts on the vCPU state changes an emulation or an exception made (modes, DACR, MMU). */
void vm_apply_changes(struct vm *vm, struct trap_frame *f);

/* The VM ends with a status (guest exit) or is stopped by the VMM with a reason. */
_Noreturn void vm_exit(struct vm *vm, uint32_t status);
_Noreturn void vm_stop(struct vm *vm, const struct trap_frame *frame, const char *fmt, ...);


#endif
