#include "vcpu_shared.h"

#include "fastpath.h"
#include "mmu.h"
#include "vm.h"

#define WORD(off) ((off) / 4)

/* Uncached, as the guest maps them: no cache maintenance between the two views (VIVT). */
static uint32_t pages[MAX_VMS][FASTPATH_PAGE_SIZE / 4]
    __attribute__((section(".uncached"), aligned(4096)));

void vcpu_shared_init(struct vm *vm, const struct bootinfo_vm *bi)
{
    struct vcpu_shared *s = &vm->shared;
    *s = (struct vcpu_shared){ .va = bi->fast_va, .gpa = bi->fast_gpa, .size = bi->fast_size,
                               .page = pages[vm->id], .page_hpa = vmm_pa(pages[vm->id]) };
    for (unsigned i = 0; i < FASTPATH_PAGE_SIZE / 4; i++)
        s->page[i] = 0;   /* filled in before the vCPU first runs (trap_prepare_resume) */
}

static bool in_region(uint32_t base, uint32_t size, uint32_t a)
{
    return a - base < size;
}

/* User sp and lr live in the banks only in an exception mode (in SYS mode they are the
 * current ones, which the trampolines do not handle). */
static bool user_regs_banked(const struct vcpu *v)
{
    return vcpu_mode(v) != PSR_MODE_USR && vcpu_mode(v) != PSR_MODE_SYS;
}

bool vcpu_shared_grant_pending(const struct vm *vm)
{
    return vm->shared.page[WORD(VSHARED_DACR)] != vm->shared.dacr;
}

void vcpu_shared_import_dacr(struct vcpu *v)
{
    const struct vcpu_shared *s = &v->vm->shared;
    /* A lazy grant, or a DACR the real one anticipated (VSHARED_DACR_NEED): now for real. */
    if (s->page[WORD(VSHARED_DACR)] != s->dacr || s->page[WORD(VSHARED_DACR)] != v->cp15.dacr) {
        v->cp15.dacr = s->page[WORD(VSHARED_DACR)];
        shadow_set_dacr(v->vm, v->cp15.dacr, vcpu_privileged(v));
    }
}

void vcpu_shared_import(struct vcpu *v, struct trap_frame *f)
{
    const struct vcpu_shared *s = &v->vm->shared;
    if (!s->size)
        return;
    uint32_t bits = s->page[WORD(VSHARED_CPSR)] & (VPSR_I | VPSR_F);
    uint32_t spsr = s->page[WORD(VSHARED_SPSR)];
    uint32_t sp = s->page[WORD(VSHARED_USR_SP)], lr = s->page[WORD(VSHARED_USR_LR)];
    if ((v->vcpsr & (VPSR_I | VPSR_F)) != bits && vcpu_privileged(v))
        v->vcpsr = (v->vcpsr & ~(VPSR_I | VPSR_F)) | bits;
    if (spsr != s->spsr)   /* vcpu_write_spsr() keeps only what an MSR may write */
        vcpu_write_spsr(v, spsr, PSR_FIELD_ALL);
    vcpu_shared_import_dacr(v);
    if ((sp != s->usr_sp || lr != s->usr_lr) && user_regs_banked(v)) {
        vcpu_set_mode_reg(v, f, PSR_MODE_USR, 13, sp);
        vcpu_set_mode_reg(v, f, PSR_MODE_USR, 14, lr);
    }
}

void vcpu_shared_export(struct vcpu *v, const struct trap_frame *f)
{
    struct vcpu_shared *s = &v->vm->shared;
    if (!s->size)
        return;
    bool banked = user_regs_banked(v);
    uint32_t spsr = 0;
    vcpu_read_spsr(v, &spsr);
    s->spsr = spsr;
    s->usr_sp = banked ? v->banked_sp[VBANK_USR] : f->sp;
    s->usr_lr = banked ? v->banked_lr[VBANK_USR] : f->lr;
    s->page[WORD(VSHARED_CPSR)] = v->vcpsr;
    /* In virtual User mode an MSR may change no control bit: every one there traps (a bare-
     * metal guest may run linked code in User mode; a kernel's text is privileged-only). */
    s->page[WORD(VSHARED_MSR_CHECK)] =
        fastpath_msr_check(vcpu_privileged(v), vcpu_mode(v),
                           (v->vm->board.cpu_irq ? VPSR_I : 0) | (v->vm->board.cpu_fiq ? VPSR_F : 0));
    s->page[WORD(VSHARED_SPSR)] = spsr;
    s->page[WORD(VSHARED_SCTLR)] = v->cp15.sctlr;
    s->dacr = v->cp15.dacr;
    s->page[WORD(VSHARED_DACR)] = v->cp15.dacr;
    s->page[WORD(VSHARED_DACR_NEED)] = fastpath_dacr_need(v->cp15.dacr);
    s->page[WORD(VSHARED_SPSR_MASK)] = VCPU_MSR_SPSR;
    s->page[WORD(VSHARED_USR_SP)] = s->usr_sp;
    s->page[WORD(VSHARED_USR_LR)] = s->usr_lr;
}

void vcpu_shared_export_dacr(struct vcpu *v)
{
    struct vcpu_shared *s = &v->vm->shared;
    if (!s->size)
        return;
    s->dacr = v->cp15.dacr;
    s->page[WORD(VSHARED_DACR)] = v->cp15.dacr;
    s->page[WORD(VSHARED_DACR_NEED)] = fastpath_dacr_need(v->cp15.dacr);
}

bool vcpu_shared_page_at(const struct vm *vm, uint32_t gpa, hpa_t *page)
{
    const struct vcpu_shared *s = &vm->shared;
    if (!vcpu_shared_in_region(vm, gpa) ||
        !FASTPATH_IS_SHARED_PAGE((gpa - s->gpa) / FASTPATH_PAGE_SIZE))
        return false;
    *page = s->page_hpa;
    return true;
}

bool vcpu_shared_in_region(const struct vm *vm, uint32_t gpa)
{
    return vm->shared.size && in_region(vm->shared.gpa, vm->shared.size, gpa);
}

bool vcpu_shared_in_megabyte(const struct vm *vm, uint32_t gpa)
{
    const struct vcpu_shared *s = &vm->shared;
    uint32_t mb = gpa & ~(SECTION_SIZE - 1);
    return s->size && mb < s->gpa + s->size && s->gpa < mb + SECTION_SIZE;
}

bool vcpu_shared_in_trampoline(const struct vm *vm, uint32_t pc)
{
    const struct vcpu_shared *s = &vm->shared;
    /* the guest-physical alias only while the guest MMU is off: with it on, those are some
     * process's own addresses, which must not delay interrupts */
    uint32_t base = vm->vcpu.cp15.sctlr & VSCTLR_M ? s->va : s->gpa;
    return s->size && in_region(base, s->size, pc);
}
