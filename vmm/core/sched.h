/* Which VM runs (several VMs, paper §6's future work): one vCPU per VM on the single core,
 * preemptive round robin with a SCHED_SLICE_NS time slice on the real event timer.  A VM that
 * waits for an interrupt (WFI) yields the core until one of its interrupt lines is up; when
 * every VM waits, the core itself waits.  Switching is cheap in structure: the trap frame at the
 * top of the SVC stack is the running vCPU's registers, so a switch saves it into the old vCPU,
 * loads the new one's and points the MMU at the new VM's tables. */
#ifndef ARMVMM_SCHED_H
#define ARMVMM_SCHED_H

#include "vm.h"

#define SCHED_SLICE_NS 10000000ull   /* 10 ms */

void sched_add(struct vm *vm);
unsigned sched_vm_count(void);
struct vcpu *sched_current(void);
/* BOOT_FLAG_* of the run (statistics, trace). */
void sched_set_flags(uint32_t flags);
_Noreturn void sched_start(void);
_Noreturn void sched_vm_ended(struct vm *vm);

/* A real interrupt (the event timer, console input). */
void sched_real_irq(void);

/* The current vCPU executed WFI: it waits until an interrupt line of its VM is up. */
void sched_wait(struct vcpu *v);

/* End of every trap.  With timing (a real interrupt, a device access, a wait): devices of every
 * VM brought up to date, the real timer re-armed, and another vCPU switched in when the slice
 * is over or the current one waits.  The frame then holds the vCPU that will run; its pending
 * virtual interrupts are delivered, unless the trap interrupted a trampoline (vcpu_shared.h)
 * midway: own_state says the frame holds only the guest's own registers (an undefined-
 * instruction trap: in a trampoline, its slow-path proxy, after the scratch is restored). */
void sched_trap_exit(struct trap_frame *f, bool timing, bool own_state);

#endif
