#include "vm.h"

#include <stdarg.h>

#include "cp15.h"
#include "cpu.h"
#include "fmt.h"
#include "mmu.h"
#include "log.h"
#include "memlayout.h"
#include "panic.h"
#include "sched.h"
#include "vm_board.h"

/* The IDs the guest reads are the host core's own, so native and VMM runs agree. */
static void read_cpu_ids(struct vcpu_ids *ids)
{
    *ids = (struct vcpu_ids){ .midr = cp15_read_midr(), .ctr = cp15_read_ctr(),
                              .tcmtr = cp15_read_tcmtr(), .tlbtr = cp15_read_tlbtr(),
                              .fpsid = vfp_read_fpsid() };
}

/* The guest starts as the board leaves a kernel it boots: virtual SVC mode, IRQ/FIQ masked,
 * MMU off; the real CPU runs it in User mode. */
static void vcpu_boot(struct vcpu *v, struct vm *vm, const struct bootinfo_vm *bi)
{
    struct vcpu_ids ids;
    read_cpu_ids(&ids);
    vcpu_init(v, vm, &ids);
    v->regs.r[0] = bi->r0;
    v->regs.r[1] = bi->r1;
    v->regs.r[2] = bi->r2;
    v->regs.pc = bi->entry;
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
    vm->passthrough = bi->passthrough | (bi->uart0_passthrough ? BOOT_PASSTHROUGH_UART0 : 0);
    vcpu_boot(&vm->vcpu, vm, bi);
    vcpu_shared_init(vm, bi);
    shadow_init(vm);
    vm_board_init(vm);
    vm->state = VM_RUNNABLE;
    vmm_log("vm%u '%s': %u MB RAM at host 0x%08x, entry 0x%08x\n", id, vm->name,
            vm->ram_size / MB(1), vm->ram_hpa.pa, bi->entry);
}

void vcpu_gptw_mmu(const struct vcpu *v, struct gptw_mmu *mmu)
{
    *mmu = (struct gptw_mmu){ .sctlr = v->cp15.sctlr, .ttbr0 = v->cp15.ttbr0,
                              .dacr = v->cp15.dacr, .fcse_pid = v->cp15.fcse_pid };
}

void vcpu_deliver_abort(struct vcpu *v, struct trap_frame *f, bool prefetch, uint32_t fsr,
                        uint32_t far)
{
    if (prefetch) {
        v->cp15.ifsr = fsr;
        vcpu_enter_exception(v, f, VEXC_PABT, vcpu_trap_link(VEXC_PABT, f->pc));
    } else {
        v->cp15.dfsr = fsr;
        v->cp15.far = far;
        vcpu_enter_exception(v, f, VEXC_DABT, vcpu_trap_link(VEXC_DABT, f->pc));
    }
    v->vm->stats.delivered++;
}

void vm_apply_changes(struct vm *vm, struct trap_frame *f)
{
    struct vcpu *v = &vm->vcpu;
    uint32_t c = vcpu_take_changes(v);

    if (c & EMU_F_MMU) {
        struct gptw_mmu mmu;
        vcpu_gptw_mmu(v, &mmu);
        shadow_set_guest_vectors(vm, (v->cp15.sctlr & SCTLR_V) != 0);
        shadow_flush_tlb(vm, &mmu);
        mmu_set_alignment_check((v->cp15.sctlr & SCTLR_A) != 0);
    }
    if (c & (EMU_F_MODE | EMU_F_DACR | EMU_F_MMU))
        shadow_set_dacr(vm, v->cp15.dacr, vcpu_privileged(v));
    /* The VFP runs natively while the guest enabled it: the real EN mirrors the virtual one. */
    if (c & EMU_F_VFP)
        vfp_write_fpexc(v->vfp.fpexc & VFP_FPEXC_EN);
    /* The real CPSR stays User mode with interrupts enabled: only flags and T are the guest's. */
    f->cpsr = (f->cpsr & VCPU_FRAME_BITS) | PSR_MODE_USR;
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
    log_printf("  virtual cpsr %08x\n", vcpu_read_cpsr(&vm->vcpu, frame));
    dump_frame(frame);
    trace_print(&vm->trace);
    vm_exit(vm, EXIT_VM_STOPPED);
}
