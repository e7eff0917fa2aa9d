#include "semihosting.h"

#include "cpu.h"
#include "guarded_access.h"
#include "vm.h"

bool semihost_handle(struct vcpu *v, struct trap_frame *f)
{
    struct vm *vm = v->vm;
    uint32_t insn, reason, subcode = 0;

    if (arch_guest_read(f->pc - 4, &insn) || !semihost_is_call(insn))
        return false;
    if (!vcpu_privileged(v))
        return false;   /* from virtual User mode it is an ordinary SWI, as natively */
    vm->stats.semihosting++;

    switch (f->r[0]) {
    case SEMIHOST_SYS_EXIT:
        reason = f->r[1];
        break;
    case SEMIHOST_SYS_EXIT_EXTENDED:
        /* QEMU fails the call (r0 = -1) when it cannot read the block, and the guest goes on. */
        if (arch_guest_read(f->r[1], &reason) || arch_guest_read(f->r[1] + 4, &subcode)) {
            f->r[0] = (uint32_t)-1;
            return true;
        }
        break;
    default:
        vm_stop(vm, f, "unsupported semihosting call 0x%x", f->r[0]);
    }
    vm_exit(vm, semihost_exit_status(f->r[0], reason, subcode));
}
