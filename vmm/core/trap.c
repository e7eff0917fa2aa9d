#include "trap.h"

#include "cache_batch.h"
#include "decode.h"
#include "emulate.h"
#include "guarded_access.h"
#include "guest_block.h"
#include "guest_fault.h"
#include "guest_mem.h"
#include "semihosting.h"
#include "sched.h"
#include "vm.h"
#include "vm_board.h"

struct trap_fast trap_fast;

void trap_prepare_resume(struct vcpu *v, const struct trap_frame *f)
{
    struct vm *vm = v->vm;
    vcpu_shared_export(v, f);
    shadow_note_resume(vm, vm->trace.next, f->pc);
    /* vectors.S's paths assume the state a resume leaves (nothing pending to apply, the
     * tables set up for the current mode) and the shared page they update. */
    trap_fast = (struct trap_fast){
        .priv = vcpu_privileged(v),
        .go = vm->shared.size && vm->state == VM_RUNNABLE && !vm->passthrough && !v->changed &&
              vm->shadow.vpriv == vcpu_privileged(v),
        .pending = (vm->board.cpu_irq ? VPSR_I : 0) | (vm->board.cpu_fiq ? VPSR_F : 0),
        .vcpu = v, .shadow = &vm->shadow, .shared = &vm->shared, .stats = &vm->stats,
        .trace = &vm->trace, .quick = guest_fault_quick_key(vm->id),
        .swi_vector = vcpu_vector(v, VEXC_SWI),
    };
}

const char *trap_kind_name(unsigned kind)
{
    static const char *const names[TRAP_NR_KINDS] = {
        [TRAP_UND] = "undefined instruction", [TRAP_SWI] = "SWI",
        [TRAP_PABT] = "prefetch abort",       [TRAP_DABT] = "data abort",
        [TRAP_IRQ] = "IRQ",                   [TRAP_FIQ] = "FIQ",
    };
    return kind < TRAP_NR_KINDS ? names[kind] : "reset";
}

/* The cache-line and write-buffer operations a kernel issues by the hundred per page copied
 * or cleared (MCR p15, 0, Rd, c7, CRm, opc2): nothing to do on a VMM whose caches are its own
 * business, so they skip the full decode, and the rest of the guest's loop runs in the VMM
 * (cache_batch.h).  Exactly the encodings emulate.c accepts for these operations; anything
 * else (and User mode) takes the general path. */
#define CACHE_BATCH_BUDGET 1024u

static bool batch_fetch(void *ctx, uint32_t va, uint32_t *word)
{
    (void)ctx;
    return arch_guest_read(va, word) == 0;
}

static void batch_tlb_ops(void *ctx, uint32_t word, uint32_t first, int32_t step, unsigned n)
{
    struct vm *vm = ((struct vcpu *)ctx)->vm;
    (void)word;   /* (one shadow for the instruction and data sides) */
    for (unsigned i = 0; i < n; i++)
        shadow_flush_mva(vm, first + (uint32_t)step * i);
    vm->stats.emulated += n;
}

static void batch_line_op(void *ctx, uint32_t word, uint32_t mva)
{
    if (cache_batch_is_tlb_op(word))
        batch_tlb_ops(ctx, word, mva, 0, 1);
    else
        ((struct vcpu *)ctx)->vm->stats.cache_ops++;
}

static void batch_line_ops(void *ctx, unsigned n)
{
    ((struct vcpu *)ctx)->vm->stats.cache_ops += n;
}

static bool batch_block(void *ctx, struct cache_batch_block *b)
{
    struct vcpu *v = ctx;
    bool done = guest_block_run(v, b);
    v->vm->stats.blocks += done;
    return done;
}

/* The trapped MCR's page, as the guest just executed from it: mapped, readable by the VMM
 * (above the FCSE's 32 MB, where its address is the same for both). */
static const uint32_t *batch_page(void *ctx, uint32_t va)
{
    (void)ctx;
    return va < FCSE_LIMIT ? NULL : (const uint32_t *)(uintptr_t)(va & ~(PAGE_SIZE - 1));
}

static struct cache_batch_memo batch_loops[MAX_VMS];   /* each VM's last loops, decoded */

#define MCR_DACR_MASK 0x0fff0fffu   /* MCR p15, 0, Rd, c3, c0, 0: a DACR write */
#define MCR_DACR_BITS 0x0e030f10u

/* A TLB flush by MVA (emulate.c's EMU_F_TLB_MVA) at pc, from a virtual privileged mode. */
static void tlb_flush_mva(struct vm *vm, uint32_t mva, uint32_t pc, uint32_t insn)
{
    shadow_flush_mva(vm, mva);
    stats_count_emulated(&vm->stats, pc, insn, INSN_MCR);
}

/* The data TLB's flush by MVA, then the instruction TLB's of the same register (Linux's
 * flush_tlb_page: mcr p15, 0, r1, c8, c6, 1; mcr p15, 0, r1, c8, c5, 1): one flush of the
 * shadow does both (the real TLBs are flushed by MVA whole).  The two differ in CRm alone. */
static bool is_tlb_mva_pair(uint32_t insn, uint32_t next)
{
    return (next & ~0xfu) == (insn & ~0xfu) && cache_batch_is_tlb_op(next);
}

bool trap_quick_tlb_mva(uint32_t mva, uint32_t pc, uint32_t insn, uint32_t cpsr, uint32_t next)
{
    struct vcpu *v = trap_fast.vcpu;
    v->vm->stats.by_kind[TRAP_UND]++;
    trace_record(&v->vm->trace, TRAP_UND, pc + 4, insn, vcpu_virtual_cpsr(v, cpsr));
    tlb_flush_mva(v->vm, mva, pc, insn);
    if (!is_tlb_mva_pair(insn, next))
        return false;
    stats_count_emulated(&v->vm->stats, pc + 4, next, INSN_MCR);
    return true;
}

#define MCR_TLB_ALL_MASK 0xffff0ff0u   /* MCR p15, 0, Rd, c8, c5|c6|c7, 0 (AL): a whole TLB */
#define MCR_TLB_ALL_BITS 0xee080f10u

/* MCR p15, 0, Rd, c8, c5|c6|c7, 0: a flush of a whole TLB (instruction, data, both). */
static bool is_tlb_all(uint32_t insn)
{
    unsigned crm = insn & 0xf;
    return (insn & MCR_TLB_ALL_MASK) == MCR_TLB_ALL_BITS && crm >= 5 && crm <= 7;
}

/* A guest TLB flush right after a change of its MMU state or a flush (Linux: the TTBR write,
 * then the TLB flush; the data TLB's flush, then the instruction TLB's): the shadow is flushed
 * for it already, so the flush would find nothing to do; the trap it costs is spared by
 * stepping over it.  next: the word at the pc, as the caller read it (0: not read, fetched
 * here). */
static void skip_tlb_flush(struct vcpu *v, struct trap_frame *f, uint32_t next)
{
    if ((!next && !guest_fetch_insn(v, f->pc, &next)) || !is_tlb_all(next))
        return;
    /* (emulated without a trap of its own) */
    stats_count_emulated(&v->vm->stats, f->pc, next, INSN_MCR);
    f->pc += 4;
}

/* The shadow flushed for the guest's MMU state as it is now (a whole-TLB flush, a new TTBR). */
static void flush_shadow(struct vcpu *v)
{
    struct gptw_mmu mmu;
    vcpu_gptw_mmu(v, &mmu);
    shadow_flush_tlb(v->vm, &mmu);
}

/* Whether the whole-TLB flush insn at `at` has anything to do: not when it is the very next
 * trap after a flush, unconditional, at the pc that flush resumed (Linux: the TTBR write, then
 * this): no guest instruction ran between. */
static bool tlb_flush_needed(const struct vcpu *v, uint32_t at, uint32_t insn)
{
    return insn >> 28 != 0xe || !shadow_fresh(v->vm, v->vm->trace.next, at);
}

#define MCR_TTBR0_MASK 0xffff0fffu   /* MCR p15, 0, Rd, c2, c0, 0 (AL): a TTBR0 write */
#define MCR_TTBR0_BITS 0xee020f10u

/* A new TTBR0 (a kernel's address-space switch) or a whole-TLB flush, with the MMU on and no
 * DACR grant to export: the shadow's flush (unless the flush before left it nothing to do:
 * shadow_fresh) and a whole-TLB flush right after stepped over are all the general path would
 * do for it (vm_apply_changes, undefined()); no mode, DACR or interrupt line changes. */
static bool quick_flush_applies(const struct vcpu *v, bool tlb, uint32_t ttbr)
{
    return (v->cp15.sctlr & VSCTLR_M) && !v->changed && (tlb || ttbr != v->cp15.ttbr0) &&
           v->vm->shared.dacr == v->cp15.dacr;
}

/* tlb: insn is a whole-TLB flush (else a TTBR0 write, of ttbr). */
static void quick_flush_run(struct vcpu *v, struct trap_frame *f, uint32_t insn, bool tlb,
                            uint32_t ttbr, uint32_t next)
{
    struct vm *vm = v->vm;
    if (!tlb)
        v->cp15.ttbr0 = ttbr;
    if (!tlb || tlb_flush_needed(v, f->pc - 4, insn))
        flush_shadow(v);
    stats_count_emulated(&vm->stats, f->pc - 4, insn, INSN_MCR);
    skip_tlb_flush(v, f, next);
    shadow_note_resume(vm, vm->trace.next, f->pc);
}

static bool quick_flush(struct vcpu *v, struct trap_frame *f, uint32_t insn, uint32_t ttbr)
{
    bool tlb = is_tlb_all(insn);
    if (!quick_flush_applies(v, tlb, ttbr))
        return false;
    quick_flush_run(v, f, insn, tlb, ttbr, 0);
    return true;
}

/* The TTBR0 write of a kernel's address-space switch, the same way: quick_flush(), with the
 * DACR the SWI path took early (vcpu_shared_import would take it, too); unless a trampoline
 * granted one since the last trap (the general path exports it). */
uint32_t trap_quick_ttbr(uint32_t ttbr, uint32_t pc, uint32_t insn, uint32_t cpsr, uint32_t next)
{
    struct vcpu *v = trap_fast.vcpu;
    struct vm *vm = v->vm;
    struct trap_frame f;   /* (quick_flush_run() reads and moves the pc alone) */
    if (vcpu_shared_grant_pending(vm))
        return 0;
    vcpu_shared_import_dacr(v);
    if (!quick_flush_applies(v, false, ttbr))
        return 0;
    vm->stats.by_kind[TRAP_UND]++;
    f.pc = pc + 4;
    trace_record(&vm->trace, TRAP_UND, f.pc, insn, vcpu_virtual_cpsr(v, cpsr));
    quick_flush_run(v, &f, insn, false, ttbr, next);
    return f.pc;
}

/* The instructions a kernel traps on most that change nothing interrupts or the trampolines
 * depend on (the mode, I, F, the interrupt lines): cache-line operations, DACR writes (two per
 * system call with Linux's PAN), TLB flushes by MVA (a pair per page a kernel remaps), whole
 * TLB flushes and TTBR0 writes (one per address-space switch).  Done
 * here, they skip the general exit (delivery, state changes, the shared page); the DACR goes
 * straight to the real one.  False: not one of them. */
static bool quick_insn(struct vcpu *v, struct trap_frame *f, uint32_t insn)
{
    struct vm *vm = v->vm;
    unsigned rd = (insn >> 12) & 0xf;

    if (!vcpu_privileged(v) || !emu_cond_passed(insn >> 28, f->cpsr))
        return false;
    const struct cache_batch_ops ops = { v, batch_fetch, batch_line_op, batch_line_ops,
                                         &batch_loops[vm->id], batch_block, batch_page,
                                         batch_tlb_ops };
    if (cache_batch_is_line_op(insn)) {
        vm->stats.cache_ops++;
        if (vm->stats.sites_on)   /* (the trapping one; the rest of a loop is only counted above) */
            vm->stats.cp15_writes[7]++;
        cache_batch_run(f, &ops, CACHE_BATCH_BUDGET);
        return true;
    }
    if (rd == 15)
        return false;
    if (cache_batch_is_tlb_op(insn)) {   /* and the rest of a loop of them */
        tlb_flush_mva(vm, trap_frame_get(f, rd), f->pc - 4, insn);
        cache_batch_run(f, &ops, CACHE_BATCH_BUDGET);
        return true;
    }
    if ((insn & MCR_TTBR0_MASK) == MCR_TTBR0_BITS || is_tlb_all(insn))
        return quick_flush(v, f, insn, trap_frame_get(f, rd));
    if ((insn & MCR_DACR_MASK) != MCR_DACR_BITS)
        return false;
    v->cp15.dacr = trap_frame_get(f, rd);
    shadow_set_dacr(vm, v->cp15.dacr, true);
    /* right after a SWI: a system call's entry DACR, which trap_fast.S's SWI path takes early */
    if (vm->trace.e[(vm->trace.next - 2) % TRACE_ENTRIES].kind == TRAP_SWI)
        shadow_set_entry_dacr(vm, v->cp15.dacr);
    stats_count_emulated(&vm->stats, f->pc - 4, insn, INSN_MCR);
    vcpu_shared_export_dacr(v);   /* MRC c3 trampolines read it there */
    return true;
}

#define MOVS_PC_LR    0xe1b0f00eu   /* movs pc, lr */
#define SUBS_PC_LR    0xe25ef000u   /* subs pc, lr, #imm8 (low byte) */

/* The exception returns a kernel ends its entries with, from a privileged mode, without the
 * general decode: emulate.c does the same for every form. */
static bool exception_return(struct vcpu *v, struct trap_frame *f, uint32_t insn)
{
    uint32_t back;
    if (insn == MOVS_PC_LR)
        back = f->lr;
    else if ((insn & 0xffffff00u) == SUBS_PC_LR)
        back = f->lr - (insn & 0xffu);
    else
        return false;
    return vcpu_exception_return(v, f, back);
}

/* An undefined-instruction trap: a sensitive instruction (or a proxy) to emulate, or the
 * guest's own undefined instruction, which emulate_insn() reports as EMU_F_UND. */
static void undefined(struct vcpu *v, struct trap_frame *f, uint32_t insn)
{
    uint32_t at = f->pc - 4;

    if (exception_return(v, f, insn)) {
        stats_count_emulated(&v->vm->stats, at, insn, INSN_DATA_PROC);
        return;
    }
    struct emu_result r = emulate_insn(v, f, insn);
    guest_mem_forget();

    stats_count_emulated(&v->vm->stats, at, insn, r.kind);
    if (emu_deliver_exception(v, f, &r))
        v->vm->stats.delivered++;
    if ((r.flags & EMU_F_TLB_ALL) && tlb_flush_needed(v, at, insn))
        flush_shadow(v);
    else if (r.flags & EMU_F_TLB_MVA)
        shadow_flush_mva(v->vm, r.operand);
    if ((r.flags & EMU_F_MMU) && r.kind == INSN_MCR)
        skip_tlb_flush(v, f, 0);
    if (r.flags & EMU_F_WFI)
        sched_wait(v);
}

static void swi(struct vcpu *v, struct trap_frame *f)
{
    if (semihost_handle(v, f))
        return;
    vcpu_enter_exception(v, f, VEXC_SWI, vcpu_trap_link(VEXC_SWI, f->pc));
    v->vm->stats.delivered++;
}

/* A SWI from virtual User mode (a system call), the short way: nothing to take from the shared
 * page (no kernel code ran since the last trap), no instruction to read (semihosting is for
 * privileged modes), nothing to deliver after it (the SWI masks IRQs; a pending FIQ or a
 * passed-through device takes the general path). */
static bool user_swi(struct vcpu *v, struct trap_frame *f)
{
    struct vm *vm = v->vm;
    if (vcpu_privileged(v) || vm->board.cpu_fiq || vm->passthrough || vm->state != VM_RUNNABLE)
        return false;
    vm->stats.by_kind[TRAP_SWI]++;
    shadow_swi_memo_update(vm);   /* for trap_fast.S's SWI path, from the next one on */
    trace_record(&vm->trace, TRAP_SWI, f->pc, 0, vcpu_read_cpsr(v, f));
    vcpu_enter_exception(v, f, VEXC_SWI, vcpu_trap_link(VEXC_SWI, f->pc));
    vm->stats.delivered++;
    vm_apply_changes(vm, f);
    trap_prepare_resume(v, f);
    return true;
}

/* After an abort that changed nothing but memory, the shadow or a device's state (a shadow
 * entry filled, a device read that moved no line and no deadline): the general exit would
 * deliver nothing, apply nothing and export the shared page as it is, so the guest resumes at
 * once. */
static bool abort_changed_nothing(const struct vcpu *v, bool devices)
{
    const struct vm *vm = v->vm;
    return !devices && !v->changed && vm->state == VM_RUNNABLE && !vm->passthrough &&
           !vm->shadow.flushed && vm->shared.dacr == v->cp15.dacr;
}

void trap_entry(struct trap_frame *f, unsigned kind)
{
    struct vcpu *v = sched_current();
    struct vm *vm = v->vm;
    uint32_t insn = 0, mmio = vm->stats.mmio, writes = vm->device_writes;
    uint64_t due = vm->board.due;
    bool irq = vm->board.cpu_irq, fiq = vm->board.cpu_fiq;

    if (kind == TRAP_SWI && user_swi(v, f))
        return;
    /* (in virtual User mode no trampoline runs: the shared page, in guest RAM the guest
     * reserved for them, is as the last resume left it, and the import would change nothing.
     * A guest that maps that region to User mode anyway (MMU off, a Manager domain) may store
     * there from User mode: such a store reaches the vCPU at the next import from a privileged
     * mode, unless an export overwrites it first) */
    if (vcpu_privileged(v))
        vcpu_shared_import(v, f);
    vm->stats.by_kind[kind]++;
    if ((kind == TRAP_UND || kind == TRAP_SWI) && !guest_fetch_insn(v, f->pc - 4, &insn))
        vm_stop(vm, f, "cannot read the instruction at 0x%08x", f->pc - 4);
    trace_record(&vm->trace, kind, f->pc, insn, vcpu_read_cpsr(v, f));
    if (kind == TRAP_UND && quick_insn(v, f, insn))
        return;
    switch (kind) {
    case TRAP_UND:
        undefined(v, f, insn);
        break;
    case TRAP_SWI:
        swi(v, f);
        break;
    case TRAP_DABT:
    case TRAP_PABT:
        guest_fault(v, f, kind);
        break;
    case TRAP_IRQ:
        sched_real_irq();
        break;
    default:
        vm_stop(vm, f, "unhandled %s at 0x%08x", trap_kind_name(kind), f->pc);
    }
    /* Interrupt lines and device deadlines move only with time or a device access: the other
     * traps need no clock, nor does a device read that moved neither (a counter, a status).  A
     * passed-through device's line is sampled on the clock's path; a VM that stopped takes that
     * path anyway (sched_trap_exit). */
    bool devices = vm->stats.mmio != mmio &&
                   (vm->device_writes != writes || vm->board.due != due ||
                    vm->board.cpu_irq != irq || vm->board.cpu_fiq != fiq || vm->passthrough);
    if ((kind == TRAP_DABT || kind == TRAP_PABT) && abort_changed_nothing(v, devices))
        return;
    sched_trap_exit(f, kind == TRAP_IRQ || devices, kind == TRAP_UND);
    trap_prepare_resume(sched_current(), f);
}
