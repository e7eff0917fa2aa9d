#include "sched.h"

#include "asm.h"
#include "board.h"
#include "cp15.h"
#include "log.h"
#include "mmu.h"
#include "semihost.h"
#include "vm_board.h"

/* The real event timer is never armed further out than this, so the VMM's clock (a 32-bit
 * counter at 40 MHz, wrapping every 107 s) is read often enough. */
#define MAX_TIMER_NS 10000000000ull
/* How soon the VMM looks again at an interrupt it could not deliver inside a trampoline. */
#define TRAMPOLINE_RETRY_NS 2000ull

extern char svc_stack[];

static struct vm *vms[MAX_VMS];
static unsigned nr_vms;
static struct vcpu *current;
static uint32_t run_flags;
static uint64_t slice_end;
static uint64_t timer_deadline;   /* what the real event timer is armed for */
static uint64_t retry_at;         /* 0, or when to try again to deliver an interrupt */

/* The frame vectors.S saves the guest into: the top of the SVC stack, always the same place. */
static struct trap_frame *live_frame(void)
{
    return (struct trap_frame *)(svc_stack + SVC_STACK_SIZE - FRAME_SIZE);
}

void sched_add(struct vm *vm)
{
    vms[nr_vms++] = vm;
}

unsigned sched_vm_count(void)
{
    return nr_vms;
}

void sched_set_flags(uint32_t flags)
{
    run_flags = flags;
}

struct vcpu *sched_current(void)
{
    return current;
}

/* Makes v the running vCPU: its VM's tables in the MMU (the caller puts its registers in the
 * live frame). */
static void vcpu_load(struct vcpu *v)
{
    current = v;
    mmu_switch(v->vm->shadow.l1, v->vm->shadow.window, v->vm->shadow.real_dacr);
    mmu_set_high_vectors(!v->vm->shadow.vectors_low);
    mmu_set_alignment_check((v->cp15.sctlr & SCTLR_A) != 0);
    vfp_write_fpexc(v->vfp.fpexc & VFP_FPEXC_EN);
    slice_end = board_now_ns() + SCHED_SLICE_NS;
}

/* From outside a trap (start, a VM ended): the C stack may overlap the live frame, so the
 * registers are copied there by arch_enter_guest once it no longer uses this stack. */
static _Noreturn void vcpu_run(struct vcpu *v)
{
    vcpu_load(v);
    trap_prepare_resume(v, &v->regs);
    arch_enter_guest(&v->regs);
}

static bool has_interrupt(const struct vm *vm)
{
    return vm->board.cpu_irq || vm->board.cpu_fiq;
}

/* Every VM's devices up to now; waiting VMs with an interrupt line up become runnable. */
static void sync_all(void)
{
    for (unsigned i = 0; i < nr_vms; i++) {
        struct vm *vm = vms[i];
        if (vm->state == VM_ENDED)
            continue;
        vm_board_sync(vm);
        if (vm->state == VM_WAITING && has_interrupt(vm))
            vm->state = VM_RUNNABLE;
    }
}

/* The next VM after the current one that may run, or 0. */
static struct vm *pick_next(void)
{
    unsigned start = current ? current->vm->id + 1 : 0;
    for (unsigned k = 0; k < nr_vms; k++) {
        struct vm *vm = vms[(start + k) % nr_vms];
        if (vm->state == VM_RUNNABLE)
            return vm;
    }
    return 0;
}

static unsigned runnable_count(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nr_vms; i++)
        n += vms[i]->state == VM_RUNNABLE;
    return n;
}

/* The real timer: the earliest device event of any VM, or the end of the slice when another
 * VM is waiting for the core.  Touched only when that deadline moves (or has passed): this runs
 * at every trap, and device register writes are not free. */
static void arm_timer(void)
{
    uint64_t now = board_now_ns(), next = now + MAX_TIMER_NS;
    for (unsigned i = 0; i < nr_vms; i++)
        if (vms[i]->state != VM_ENDED && vm_board_next_event(vms[i]) < next)
            next = vm_board_next_event(vms[i]);
    if (runnable_count() > 1 && slice_end < next)
        next = slice_end;
    if (retry_at && retry_at < next)
        next = retry_at;
    if (next == timer_deadline && next > now)
        return;
    timer_deadline = next;
    board_timer_arm(next > now ? next - now : 1000);
}

void sched_real_irq(void)
{
    if (vm_board_real_irq())
        timer_deadline = retry_at = 0;   /* it fired: whatever comes next must arm it again */
}

void sched_wait(struct vcpu *v)
{
    struct vm *vm = v->vm;
    vm->stats.waits++;
    vm_board_sync(vm);
    if (!has_interrupt(vm))
        vm->state = VM_WAITING;
}

/* Nothing may run: the core waits for a real interrupt (the ARM926 leaves WFI on a pending
 * interrupt even with the CPSR masking it), then the devices catch up. */
static void idle_until_runnable(void)
{
    for (;;) {
        sync_all();
        if (runnable_count())
            return;
        arm_timer();
        cp15_write_wait_for_interrupt(0);
        sched_real_irq();
    }
}

/* An interrupt the guest takes now goes to it, unless the guest is midway through a trampoline
 * (vcpu_shared.h): then the real timer brings the VMM back in a moment to try again. */
static bool deliver(struct vcpu *v, struct trap_frame *f, bool own_state)
{
    const struct vboard *b = &v->vm->board;
    if (own_state || !vcpu_shared_in_trampoline(v->vm, f->pc)) {
        vm_board_deliver(v, f);
        return false;
    }
    if ((b->cpu_irq && !vcpu_irq_masked(v)) || (b->cpu_fiq && !vcpu_fiq_masked(v))) {
        retry_at = board_now_ns() + TRAMPOLINE_RETRY_NS;
        return true;
    }
    return false;
}

void sched_trap_exit(struct trap_frame *f, bool timing, bool own_state)
{
    struct vcpu *v = current;

    /* Interrupt lines only move when devices advance (a real interrupt, a device access) and a
     * slice only ends on the real timer: the other traps need not read the clock at all. */
    if (!timing && v->vm->state == VM_RUNNABLE) {
        bool retry = deliver(v, f, own_state);
        vm_apply_changes(v->vm, f);
        if (retry)
            arm_timer();
        return;
    }
    struct vcpu *current_at_entry = v;
    sync_all();
    if (v->vm->state != VM_RUNNABLE || (board_now_ns() >= slice_end && runnable_count() > 1)) {
        idle_until_runnable();
        struct vm *next = v->vm->state == VM_RUNNABLE && runnable_count() == 1 ? v->vm
                                                                              : pick_next();
        if (next != v->vm) {
            v->regs = *f;
            vcpu_load(&next->vcpu);
            v = current;
            *f = v->regs;
        }
        slice_end = board_now_ns() + SCHED_SLICE_NS;
    }
    deliver(v, f, own_state && v == current_at_entry);
    vm_apply_changes(v->vm, f);
    arm_timer();
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
    for (;;) {
        bool alive = false;
        for (unsigned i = 0; i < nr_vms; i++)
            alive |= vms[i]->state != VM_ENDED;
        if (!alive)
            vmm_finish();
        idle_until_runnable();
        struct vm *next = pick_next();
        arm_timer();
        vcpu_run(&next->vcpu);
    }
}

_Noreturn void sched_vm_ended(struct vm *vm)
{
    vmm_log("vm%u '%s' ended with status %u\n", vm->id, vm->name, vm->exit_status);
    if (current && current->vm == vm)
        current->regs = *live_frame();   /* for the register dump of --trace and statistics */
    current = 0;
    sched_start();
}
