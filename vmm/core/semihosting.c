#include "semihosting.h"

#include "cpu.h"
#include "vm.h"

bool semihost_handle(struct vcpu *v, struct trap_frame *f)
{
    struct vm *vm = v->vm;
    uint32_t insn, reason, subcode = 0;

    /* Guest MMU off at this stage: the PC is a guest-physical address. */
    if (!vm_read_word(vm, gpa(f->pc - 4), &insn) || !semihost_is_call(insn))
        return false;
    if ((v->vcpsr & PSR_MODE_MASK) == PSR_MODE_USR)
        return false;   /* from virtual User mode it is an ordinary SWI, as natively */
    vm->stats.semihosting++;

    switch (f->r[0]) {
    case SEMIHOST_SYS_EXIT:
        reason = f->r[1];
        break;
    case SEMIHOST_SYS_EXIT_EXTENDED:
        if (!vm_read_word(vm, gpa(f->r[1]), &reason) ||
            !vm_read_word(vm, gpa(f->r[1] + 4), &subcode))
            vm_stop(vm, f, "semihosting exit block at 0x%08x is outside guest RAM", f->r[1]);
        break;
    default:
        vm_stop(vm, f, "unsupported semihosting call 0x%x", f->r[0]);
    }
    vm_exit(vm, semihost_exit_status(f->r[0], reason, subcode));
}
