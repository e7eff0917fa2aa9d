/* Which VM runs.  One vCPU per VM on the single core; at this stage a VM runs until it ends and
 * the next runnable VM follows (preemptive round robin comes with the several-VMs work). */
#ifndef ARMVMM_SCHED_H
#define ARMVMM_SCHED_H

#include "vm.h"

void sched_add(struct vm *vm);
struct vcpu *sched_current(void);
/* BOOT_FLAG_* of the run (statistics, trace). */
void sched_set_flags(uint32_t flags);
_Noreturn void sched_start(void);
_Noreturn void sched_vm_ended(struct vm *vm);

#endif
