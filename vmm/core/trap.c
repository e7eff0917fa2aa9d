#include "trap.h"

#include "cp15.h"
#include "guarded_access.h"
#include "guest_fault.h"
#include "semihosting.h"
#include "sched.h"
#include "vm.h"

const char *trap_kind_name(unsigned kind)
{
    static const char *const names[TRAP_NR_KINDS] = {
        [TRAP_UND] = "undefined instruction", [TRAP_SWI] = "SWI",
        [TRAP_PABT] = "prefetch abort",       [TRAP_DABT] = "data abort",
        [TRAP_IRQ] = "IRQ",                   [TRAP_FIQ] = "FIQ",
    };
    return kind < TRAP_NR_KINDS ? names[kind] : "reset";
}

void trap_entry(struct trap_frame *f, unsigned kind)
{
    struct vcpu *v = sched_current();
    struct vm *vm = v->vm;
    uint32_t insn = 0;

    vm->stats.by_kind[kind]++;
    if (kind == TRAP_UND || kind == TRAP_SWI)
        arch_guest_read(f->pc - 4, &insn);
    trace_record(&vm->trace, kind, f->pc, insn, v->vcpsr);
    switch (kind) {
    case TRAP_SWI:
        if (semihost_handle(v, f))
            return;
        vm_stop(vm, f, "unhandled SWI at 0x%08x", f->pc - 4);
    case TRAP_UND:
        vm_stop(vm, f, "unhandled undefined instruction %08x at 0x%08x", insn, f->pc - 4);
    case TRAP_DABT:
    case TRAP_PABT:
        guest_fault(v, f, kind);
        return;
    default:
        vm_stop(vm, f, "unhandled %s at 0x%08x", trap_kind_name(kind), f->pc);
    }
}
