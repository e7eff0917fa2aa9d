#include "sched.h"

#include "asm.h"
#include "cp15.h"
#include "log.h"
#include "mmu.h"
#include "semihost.h"

extern char svc_stack[];

static struct vm *vms[MAX_VMS];
static unsigned nr_vms;
static struct vcpu *current;
static uint32_t run_flags;

/* The frame vectors.S saves the guest into: the top of the SVC stack, always the same place. */
static struct trap_frame *live_frame(void)
{
    return (struct trap_frame *)(svc_stack + SVC_STACK_SIZE - FRAME_SIZE);
}

void sched_add(struct vm *vm)
{
    vms[nr_vms++] = vm;
}

void sched_set_flags(uint32_t flags)
{
    run_flags = flags;
}

struct vcpu *sched_current(void)
{
    return current;
}

static _Noreturn void vcpu_run(struct vcpu *v)
{
    current = v;
    mmu_switch(v->vm->shadow.l1, v->vm->shadow.window, v->vm->shadow.real_dacr);
    mmu_set_high_vectors(!v->vm->shadow.vectors_low);
    mmu_set_alignment_check((v->cp15.sctlr & SCTLR_A) != 0);
    vfp_write_fpexc(v->vfp.fpexc & VFP_FPEXC_EN);
    *live_frame() = v->regs;
    arch_enter_guest(live_frame());
}

static _Noreturn void vmm_finish(void)
{
    uint32_t status = 0;
    for (unsigned i = 0; i < nr_vms; i++) {
        if (run_flags & BOOT_FLAG_STATS)
            stats_print(vms[i]);
        if (run_flags & BOOT_FLAG_TRACE) {
            vmm_log("vm%u '%s' trap trace:\n", vms[i]->id, vms[i]->name);
            trace_print(&vms[i]->trace);
        }
        if (vms[i]->exit_status > status)
            status = vms[i]->exit_status;
    }
    vmm_log("all VMs ended, status %u\n", status);
    semihost_exit(status);
}

_Noreturn void sched_start(void)
{
    for (unsigned i = 0; i < nr_vms; i++)
        if (vms[i]->state == VM_RUNNABLE)
            vcpu_run(&vms[i]->vcpu);
    vmm_finish();
}

_Noreturn void sched_vm_ended(struct vm *vm)
{
    vmm_log("vm%u '%s' ended with status %u\n", vm->id, vm->name, vm->exit_status);
    if (current && current->vm == vm)
        current->regs = *live_frame();
    current = 0;
    sched_start();
}
