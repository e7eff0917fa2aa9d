#include "guest_fault.h"

#include "cp15.h"
#include "cpu.h"
#include "fastpath.h"
#include "decode.h"
#include "guest_mem.h"
#include "ldst_emulate.h"
#include "vm_board.h"
#include "shadow.h"
#include "vm.h"

/* The fault status QEMU reports for BKPT: a debug event. */
#define IFSR_DEBUG_EVENT 0x2u

struct bus_ctx {
    struct vm *vm;
    const struct gptw_mmu *mmu;
    bool vpriv;
    /* The walk the abort already made, and its access: an access of the same kind, naturally
     * aligned, inside the part of the mapping that walk checked needs no second walk. */
    struct guest_access_req first;
    const struct gptw_result *walked;
};

/* The guest-physical address of mva inside the part of its mapping the walk w checked. */
static bool walked_pa(const struct gptw_result *w, uint32_t mva, uint32_t *pa)
{
    if (mva - w->perm_mva >= w->perm_size)
        return false;
    *pa = w->page_pa + (mva - w->page_mva);
    return true;
}

static bool reuse_walk(const struct bus_ctx *c, const struct guest_access_req *a, uint32_t va,
                       uint32_t *pa)
{
    return a->access == c->first.access && a->user == c->first.user && !(va & (a->size - 1u)) &&
           walked_pa(c->walked, gptw_mva(c->mmu, va), pa);
}

/* Guest memory as an instruction being emulated sees it: translated access by access. */
static uint32_t bus_access(void *p, uint32_t va, unsigned size, bool user, uint32_t *val,
                           bool write)
{
    struct bus_ctx *c = p;
    struct gptw_result r;

    struct guest_access_req a = { write ? GPTW_WRITE : GPTW_READ, user || !c->vpriv,
                                  (uint8_t)size, false };
    if (!reuse_walk(c, &a, va, &r.pa) && !guest_translate(c->vm, c->mmu, va, &a, &r))
        return r.fsr;
    if (write ? guest_phys_write(c->vm, r.pa, size, *val) : guest_phys_read(c->vm, r.pa, size, val))
        return 0;
    /* Not RAM: the virtual board (devices; nothing there reads zero, as on the board). */
    if (write)
        vm_board_write(c->vm, r.pa, *val, size);
    else
        *val = vm_board_read(c->vm, r.pa, size);
    return 0;
}

static uint32_t bus_read(void *p, uint32_t va, unsigned size, bool user, uint32_t *val)
{
    return bus_access(p, va, size, user, val, false);
}

static uint32_t bus_write(void *p, uint32_t va, unsigned size, bool user, uint32_t val)
{
    return bus_access(p, va, size, user, &val, true);
}

static void prefetch_abort(struct vcpu *v, struct trap_frame *f, const struct gptw_mmu *mmu,
                           bool vpriv)
{
    struct vm *vm = v->vm;
    struct gptw_result r;

    if ((cp15_read_ifsr() & 0xf) == IFSR_DEBUG_EVENT) {   /* BKPT: the guest's own */
        vcpu_deliver_abort(v, f, true, IFSR_DEBUG_EVENT, 0);
        return;
    }
    struct guest_access_req a = { GPTW_FETCH, !vpriv, 4, false };
    if (!guest_translate(vm, mmu, f->pc, &a, &r)) {
        vcpu_deliver_abort(v, f, true, r.fsr, 0);
        return;
    }
    if (!shadow_map(vm, mmu, &r, GPTW_FETCH, !vpriv))
        vm_stop(vm, f, "instruction fetch at 0x%08x from guest-physical 0x%08x, which the VMM "
                       "cannot map (device, VMM page or 1 KB subpage)", f->pc, r.pa);
    vm->stats.fills[1]++;
}

/* The access of the aborted instruction, as the walk must check it. */
static bool classify(const struct insn *in, bool vpriv, struct guest_access_req *a)
{
    switch (in->kind) {
    case INSN_LOAD_STORE:
        *a = (struct guest_access_req){ in->mem.load ? GPTW_READ : GPTW_WRITE,
                                        !vpriv || in->mem.user,
                                        in->mem.size == 8 ? 4 : in->mem.size,
                                        in->mem.size == 8 };
        return true;
    case INSN_SWP:
        *a = (struct guest_access_req){ GPTW_WRITE, !vpriv, in->mem.size, false };
        return true;
    case INSN_LOAD_STORE_MULTIPLE:
        *a = (struct guest_access_req){ in->block.load ? GPTW_READ : GPTW_WRITE, !vpriv, 4,
                                        true };
        return true;
    case INSN_LDC:   /* VFP loads/stores: a shadow miss or the guest's fault, never emulated */
    case INSN_STC:
        *a = (struct guest_access_req){ in->kind == INSN_LDC ? GPTW_READ : GPTW_WRITE, !vpriv,
                                        4, true };
        return true;
    default:
        return false;
    }
}

/* The last device accesses a VM's guest made: drivers read the same register from the same
 * instruction over and over (a clock, a status; a kernel alternates between a few: its clock
 * source and its sched_clock, say).  For the same instruction word, page, virtual
 * privilege and guest MMU state, its decoding and walk still hold while no TLB maintenance came
 * between (shadow.flushes), as a TLB entry would; after some, while the guest's descriptors the
 * walk read are still the same words at the same places: known to the shadow while their
 * table stays watched (gen, shadow_walk_gen()), else read again. */
struct device_memo {
    bool valid, vpriv;
    bool quick;                   /* a word LDR into r0-r12, no writeback: guest_fault_quick_read */
    uint32_t pc, word, va_page, flushes;
    uint32_t gen;                 /* shadow_walk_gen() when its walk was last read (0: none) */
    struct gptw_mmu mmu;
    struct insn in;
    struct guest_access_req a;
    struct gptw_result r;
};
/* Per VM, two ways per set of the instruction's address (Linux's clock source and its
 * sched_clock read from addresses a multiple of 4 words apart: the same set). */
#define DEVICE_MEMO_SETS 4
#define DEVICE_MEMO_WAYS 2
static struct device_memo device_memos[MAX_VMS][DEVICE_MEMO_SETS][DEVICE_MEMO_WAYS];
static uint8_t device_memo_mru[MAX_VMS][DEVICE_MEMO_SETS];   /* the way of each set used last */
_Static_assert(DEVICE_MEMO_WAYS == 2, "device_memo_at() replaces the other way");

static void device_memo_used(const struct vm *vm, const struct device_memo *m)
{
    unsigned at = (unsigned)(m - &device_memos[vm->id][0][0]);
    device_memo_mru[vm->id][at / DEVICE_MEMO_WAYS] = (uint8_t)(at % DEVICE_MEMO_WAYS);
}

/* The memo of the instruction at pc (made the set's last used); if none, the one a new memo
 * replaces (device_memo_used() once it does: aborts that are no device access replace none). */
static struct device_memo *device_memo_at(const struct vm *vm, uint32_t pc)
{
    unsigned set = (pc >> 2) % DEVICE_MEMO_SETS;
    struct device_memo *ways = device_memos[vm->id][set];
    for (unsigned way = 0; way < DEVICE_MEMO_WAYS; way++)
        if (ways[way].valid && ways[way].pc == pc) {
            device_memo_mru[vm->id][set] = (uint8_t)way;
            return &ways[way];
        }
    return &ways[device_memo_mru[vm->id][set] ^ 1u];
}

static bool same_word(struct vm *vm, uint32_t gpa, uint32_t value)
{
    uint32_t now;
    return guest_phys_read_word(vm, gpa, &now) && now == value;
}

/* shadow_walk_gen() for a walk just read (only a small or large page's: a section's walk is
 * not in a table the shadow watches). */
static uint32_t walk_gen(const struct vm *vm, uint32_t va, const struct gptw_result *r)
{
    bool paged = r->map == GPTW_MAP_SMALL || r->map == GPTW_MAP_LARGE;
    return paged ? shadow_walk_gen(vm, va, r->l1_desc) : 0;
}

static bool device_memo_hit(struct device_memo *m, struct vm *vm, const struct gptw_mmu *mmu,
                            uint32_t pc, uint32_t word, uint32_t far, bool vpriv)
{
    /* (of the DACR, the mapping's domain alone: Linux's PAN changes the User one) */
    if (!m->valid || m->pc != pc || m->word != word || m->va_page != (far & ~(PAGE_SIZE - 1)) ||
        m->vpriv != vpriv || m->mmu.sctlr != mmu->sctlr || m->mmu.fcse_pid != mmu->fcse_pid ||
        ((m->mmu.dacr ^ mmu->dacr) >> (2 * m->r.domain) & 3))
        return false;
    if (m->flushes == vm->shadow.flushes && m->mmu.ttbr0 == mmu->ttbr0)
        return true;
    /* (a kernel's device mappings are the same in every address space) */
    uint32_t l1_addr = (mmu->ttbr0 & GPTW_TTBR_BASE_MASK) | (m->r.l1_addr & 0x3fffu);
    if (!m->gen || shadow_walk_gen(vm, far, m->r.l1_desc) != m->gen) {
        if (m->r.map == GPTW_MAP_FLAT || !same_word(vm, l1_addr, m->r.l1_desc) ||
            (m->r.map != GPTW_MAP_SECTION && !same_word(vm, m->r.l2_addr, m->r.l2_desc)))
            return false;
        m->gen = walk_gen(vm, far, &m->r);
    }
    m->flushes = vm->shadow.flushes;   /* good until the next TLB maintenance, as checked */
    m->mmu.ttbr0 = mmu->ttbr0;
    m->r.l1_addr = l1_addr;
    return true;
}

static void data_abort(struct vcpu *v, struct trap_frame *f, const struct gptw_mmu *mmu,
                       bool vpriv)
{
    struct vm *vm = v->vm;
    struct device_memo *slot = device_memo_at(vm, f->pc), miss;
    struct device_memo *m = slot;
    uint32_t word, far = cp15_read_far(), st, fa;

    if (!guest_fetch_insn(v, f->pc, &word))
        vm_stop(vm, f, "data abort at 0x%08x: cannot read the instruction", f->pc);
    if (!device_memo_hit(m, vm, mmu, f->pc, word, far, vpriv)) {
        m = &miss;
        decode_arm(word, &m->in);
        if (!classify(&m->in, vpriv, &m->a))
            vm_stop(vm, f, "data abort by %s %08x at 0x%08x: not emulated",
                    insn_kind_name(m->in.kind), word, f->pc);
        if (!guest_translate(vm, mmu, far, &m->a, &m->r)) {
            vcpu_deliver_abort(v, f, false, m->r.fsr, m->r.far);
            return;
        }
        if (shadow_map(vm, mmu, &m->r, m->a.access, m->a.user)) {
            vm->stats.fills[0]++;
            return;   /* the real MMU does it now: run the instruction again */
        }
        /* Emulated: a device's page (remembered), or RAM the real MMU cannot give (not). */
        m->valid = m->r.pa >= vm->ram_size && !shadow_is_passthrough(vm, m->r.pa);
        m->vpriv = vpriv;
        m->pc = f->pc;
        m->word = word;
        m->va_page = far & ~(PAGE_SIZE - 1);
        m->mmu = *mmu;
        m->flushes = vm->shadow.flushes;
        m->gen = walk_gen(vm, far, &m->r);
        m->quick = vpriv && m->in.kind == INSN_LOAD_STORE && m->in.mem.load &&
                   m->in.mem.size == 4 && !m->in.mem.user && !m->in.mem.wback &&
                   m->in.mem.rd < 13;
        if (m->valid) {
            *slot = miss;
            m = slot;
            device_memo_used(vm, m);
        }
    }

    struct bus_ctx ctx = { vm, mmu, vpriv, m->a, &m->r };
    struct ldst_bus bus = { &ctx, bus_read, bus_write };
    vm->stats.emulated_accesses++;
    switch (ldst_emulate(f, f->pc, &m->in, &bus, &st, &fa)) {
    case LDST_DONE:
        return;
    case LDST_FAULT:
        vcpu_deliver_abort(v, f, false, st, fa);
        return;
    default:
        vm_stop(vm, f, "data abort by %08x at 0x%08x: cannot emulate it", word, f->pc);
    }
}

static struct quick_key quick_keys[MAX_VMS];

struct quick_key *guest_fault_quick_key(unsigned id)
{
    return &quick_keys[id];
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* The key of a quick read the device memo of pc allows (false: none, the VM's key stays). */
static bool quick_key_make(struct vm *vm, struct quick_key *k, uint32_t far, uint32_t pc,
                           uint32_t word)
{
    struct device_memo *m = device_memo_at(vm, pc);
    struct gptw_mmu mmu;
    uint32_t pa;
    if (!m->valid || !m->quick || m->pc != pc)
        return false;
    vcpu_gptw_mmu(&vm->vcpu, &mmu);
    mmu.dacr = vm->shared.page[VSHARED_DACR / 4];   /* (a trampoline may have written it) */
    struct vdev *dev;
    if (!device_memo_hit(m, vm, &mmu, pc, word, far, true) || mmu.fcse_pid ||
        !walked_pa(&m->r, far, &pa) || !(dev = vm_board_quiet_device(vm, pa)))
        return false;
    /* The walked part of the mapping that is this device's (a page may hold two), as the
     * bytes before and from far in both. */
    uint32_t before = min_u32(far - m->r.perm_mva, pa - dev->base);
    uint32_t from = min_u32(m->r.perm_mva + m->r.perm_size - far, dev->base + dev->size - pa);
    *k = (struct quick_key){ .word = word, .va = far - before, .size = before + from,
                             .dacr_mask = 3u << (2 * m->r.domain),
                             .dacr = mmu.dacr & 3u << (2 * m->r.domain),
                             .flushes = vm->shadow.flushes, .gen = m->gen,
                             .l1_desc = m->r.l1_desc, .pa_off = pa - far, .rd = m->in.mem.rd,
                             .vm = vm, .dev = dev };
    return true;
}

bool guest_fault_quick_read(uint32_t far, uint32_t pc, uint32_t word, uint32_t *regs)
{
    struct vm *vm = trap_fast.vcpu->vm;
    struct quick_key *k = &quick_keys[vm->id];
    uint32_t value;

    if ((far & 3) || !quick_key_make(vm, k, far, pc, word) ||
        !vm_board_read_dev_quiet(vm, k->dev, far + k->pa_off, &value))
        return false;
    regs[k->rd] = value;
    vm->stats.fast_reads++;
    return true;
}

void guest_fault(struct vcpu *v, struct trap_frame *f, unsigned kind)
{
    struct gptw_mmu mmu;
    bool vpriv = vcpu_privileged(v);

    vcpu_gptw_mmu(v, &mmu);
    if (kind == TRAP_PABT)
        prefetch_abort(v, f, &mmu, vpriv);
    else
        data_abort(v, f, &mmu, vpriv);
}
