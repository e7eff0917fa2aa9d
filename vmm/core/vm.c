#include "vm.h"

#include <stdarg.h>

#include "cpu.h"
#include "fmt.h"
#include "log.h"
#include "memlayout.h"
#include "panic.h"
#include "sched.h"

static void vcpu_reset(struct vcpu *v, const struct bootinfo_vm *bi)
{
    struct trap_frame *f = &v->regs;
    *f = (struct trap_frame){ 0 };
    f->r[0] = bi->r0;
    f->r[1] = bi->r1;
    f->r[2] = bi->r2;
    f->pc = bi->entry;
    /* The real CPU runs the guest in User mode; the guest believes it is in SVC with IRQ/FIQ
     * masked, as the board leaves a kernel it boots. */
    f->cpsr = PSR_MODE_USR;
    v->vcpsr = PSR_MODE_SVC | PSR_I | PSR_F;
}

void vm_init(struct vm *vm, unsigned id, const struct bootinfo_vm *bi)
{
    *vm = (struct vm){ 0 };
    vm->id = id;
    for (unsigned i = 0; i + 1 < BOOTINFO_NAME_LEN && bi->name[i]; i++)
        vm->name[i] = bi->name[i];
    vm->ram_gpa = gpa(0);
    vm->ram_hpa = hpa(bi->ram_hpa);
    vm->ram_size = bi->ram_size;
    vm->uart0_passthrough = bi->uart0_passthrough != 0;
    vm->vcpu.vm = vm;
    vcpu_reset(&vm->vcpu, bi);
    shadow_init(vm);
    vm->state = VM_RUNNABLE;
    vmm_log("vm%u '%s': %u MB RAM at host 0x%08x, entry 0x%08x\n", id, vm->name,
            vm->ram_size / MB(1), vm->ram_hpa.pa, bi->entry);
}

void vcpu_gptw_mmu(const struct vcpu *v, struct gptw_mmu *mmu)
{
    (void)v;
    *mmu = (struct gptw_mmu){ .sctlr = 0x00090078u };   /* reset state: MMU off */
}

void vcpu_deliver_abort(struct vcpu *v, struct trap_frame *f, bool prefetch, uint32_t fsr,
                        uint32_t far)
{
    vm_stop(v->vm, f, "guest %s abort, fsr 0x%03x far 0x%08x (delivery to the guest not yet "
            "wired)", prefetch ? "prefetch" : "data", fsr, far);
}

_Noreturn void vm_exit(struct vm *vm, uint32_t status)
{
    vm->state = VM_ENDED;
    vm->exit_status = status;
    sched_vm_ended(vm);
}

_Noreturn void vm_stop(struct vm *vm, const struct trap_frame *frame, const char *fmt, ...)
{
    char why[128];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    vmm_log("vm%u '%s' stopped: %s\n", vm->id, vm->name, why);
    log_printf("  virtual cpsr %08x\n", vm->vcpu.vcpsr);
    dump_frame(frame);
    trace_print(&vm->trace);
    vm_exit(vm, EXIT_VM_STOPPED);
}
