#include "shadow.h"

#include "cp15.h"
#include "integratorcp.h"
#include "memlayout.h"
#include "mmu.h"
#include "fastpath.h"
#include "guest_mem.h"
#include "vm.h"

#define SLOT_WINDOW   (VMM_VIRT_BASE >> L1_SHIFT)
#define SLOT_LOW      0u

static uint32_t l1s[MAX_VMS][L1_ENTRIES]
    __attribute__((section(".pagetables"), aligned(L1_TABLE_ALIGN)));
static uint32_t windows[MAX_VMS][L2C_ENTRIES]
    __attribute__((section(".pagetables"), aligned(L2C_TABLE_SIZE)));
static uint32_t lows[MAX_VMS][L2C_ENTRIES]
    __attribute__((section(".pagetables"), aligned(L2C_TABLE_SIZE)));
static uint32_t pool[MAX_VMS][SHADOW_TABLES_PER_VM][L2C_ENTRIES]
    __attribute__((section(".pagetables"), aligned(L2C_TABLE_SIZE)));
static uint32_t region_tables[MAX_VMS][SHADOW_REGION_TABLES][L2C_ENTRIES]
    __attribute__((section(".pagetables"), aligned(L2C_TABLE_SIZE)));
/* Bit per entry a pool table may hold: a table is emptied entry by entry, not all 256. */
static uint32_t pool_set[MAX_VMS][SHADOW_TABLES_PER_VM][L2C_ENTRIES / 32];

static void sync(const void *p, uint32_t len)
{
    mmu_sync_table(p, len);
}

/* vdomain_real_dacr(), remembered: it runs at every mode change, DACR write and shadow fill. */
static uint32_t real_dacr(struct shadow *s, uint32_t guest_dacr, bool vpriv)
{
    for (unsigned i = 0; i < 2; i++) {
        const struct shadow_dacr_memo *m = &s->memo[i];
        if (m->valid && m->guest == guest_dacr && m->used == s->dom.used)
            return vpriv ? m->priv : m->user;
    }
    struct shadow_dacr_memo *m = &s->memo[s->memo_next];
    s->memo_next ^= 1;
    *m = (struct shadow_dacr_memo){ guest_dacr, vdomain_real_dacr(&s->dom, guest_dacr, true),
                                    vdomain_real_dacr(&s->dom, guest_dacr, false),
                                    s->dom.used, true };
    return vpriv ? m->priv : m->user;
}

/* The domain map starts over: what was remembered of it goes too. */
static void reset_domains(struct shadow *s)
{
    vdomain_reset(&s->dom);
    s->memo[0].valid = s->memo[1].valid = false;
}

static void clear_table(uint32_t *t, unsigned from, unsigned to)
{
    for (unsigned i = from; i < to; i++)
        t[i] = 0;
    sync(&t[from], (to - from) * 4);
}

/* Coarse tables are emptied entry by entry, those set since the last time (a bit each in set),
 * not all 256: a flush empties a few of them per guest context switch. */
static void marked_clear(uint32_t *t, uint32_t *set)
{
    for (unsigned w = 0; w < L2C_ENTRIES / 32; w++) {
        for (uint32_t bits = set[w]; bits; bits &= bits - 1) {
            uint32_t *e = &t[w * 32 + (unsigned)__builtin_ctz(bits)];
            *e = 0;
            sync(e, 4);
        }
        set[w] = 0;
    }
}

static void marked_set(uint32_t *t, uint32_t *set, unsigned i, uint32_t desc)
{
    t[i] = desc;
    sync(&t[i], 4);
    set[i / 32] |= 1u << (i % 32);
}

/* The megabytes shared with the VMM: the window, and 0 while the real vectors are low. */
static bool slot_is_mixed(const struct shadow *s, unsigned slot)
{
    return slot == SLOT_WINDOW || (slot == SLOT_LOW && s->vectors_low);
}

/* Pages of the VMM inside the shared megabytes: never the guest's. */
static bool va_is_vmm(const struct shadow *s, uint32_t va)
{
    if (va >= VMM_VIRT_BASE && va < VMM_WINDOW_END)
        return true;
    uint32_t page = va & ~(PAGE_SIZE - 1);
    return s->vectors_low ? page == LOW_VECTORS_VA : page == HIGH_VECTORS_VA;
}

static void install_fixed(struct shadow *s)
{
    mmu_install_window(s->l1, s->window);
    s->window[L2C_INDEX(HIGH_VECTORS_VA)] = s->vectors_low ? 0 : mmu_vectors_desc();
    s->low[L2C_INDEX(LOW_VECTORS_VA)] = s->vectors_low ? mmu_vectors_desc() : 0;
    sync(&s->window[L2C_INDEX(HIGH_VECTORS_VA)], 4);   /* the rest: cleared and synced already */
    sync(&s->low[L2C_INDEX(LOW_VECTORS_VA)], 4);
    s->l1[SLOT_LOW] = s->vectors_low ? l1_coarse(vmm_pa(s->low).pa, DOMAIN_VMM) : 0;
    sync(&s->l1[SLOT_LOW], 4);
}

void shadow_init(struct vm *vm)
{
    struct shadow *s = &vm->shadow;
    *s = (struct shadow){ .l1 = l1s[vm->id], .window = windows[vm->id], .low = lows[vm->id],
                          .vpriv = true };
    clear_table(s->l1, 0, L1_ENTRIES);
    clear_table(s->low, 0, L2C_ENTRIES);
    for (unsigned t = 0; t < SHADOW_TABLES_PER_VM; t++)   /* first use empties all of it */
        for (unsigned w = 0; w < L2C_ENTRIES / 32; w++)
            pool_set[vm->id][t][w] = ~0u;
    mmu_window_clone(s->window);
    reset_domains(s);
    install_fixed(s);
    s->real_dacr = real_dacr(s, 0, true);
}

/* Sets a guest slot's L1 entry (never the window's). */
static void set_l1(struct shadow *s, unsigned slot, uint32_t desc)
{
    s->l1[slot] = desc;
    sync(&s->l1[slot], 4);
    s->slot_used[slot / 32] |= 1u << (slot % 32);
    s->words_used[slot / 1024] |= 1u << (slot / 32 % 32);
}

/* Whether the real section of slot is still exactly the guest's: its L1 descriptor in the
 * tables at ttbr (*page: the mapped page of them last looked at, *at: its address + 1). */
static bool section_kept(struct vm *vm, uint32_t ttbr, unsigned slot,
                         const volatile uint32_t **page, uint32_t *at)
{
    uint32_t gpa = (ttbr & GPTW_TTBR_BASE_MASK) + slot * 4, base = gpa & ~(PAGE_SIZE - 1);
    if (*at != base + 1) {
        *page = guest_table_page(vm, base);
        *at = base + 1;
    }
    if (!*page)
        return false;
    const volatile uint32_t *w = *page + (gpa - base) / 4;
    cp15_write_dcache_inv_mva((uint32_t)(uintptr_t)w);
    return *w == vm->shadow.section_from[slot];
}

/* Every guest slot's L1 entry and pool table back to nothing, but the sections keep() keeps. */
static void clear_slots(struct vm *vm, const struct gptw_mmu *keep)
{
    struct shadow *s = &vm->shadow;
    const volatile uint32_t *page = 0;
    uint32_t at = 0;
    for (unsigned hi = 0; hi < L1_ENTRIES / 1024; hi++)
        for (uint32_t words = s->words_used[hi]; words; words &= words - 1) {
            unsigned w = hi * 32 + (unsigned)__builtin_ctz(words);
            for (uint32_t bits = s->slot_used[w]; bits; bits &= bits - 1) {
                unsigned slot = w * 32 + (unsigned)__builtin_ctz(bits);
                if (keep && s->section_from[slot] &&
                    section_kept(vm, keep->ttbr0, slot, &page, &at))
                    continue;
                s->l1[slot] = 0;
                sync(&s->l1[slot], 4);
                s->slot_table[slot] = 0;
                s->section_from[slot] = 0;
                s->slot_used[w] &= ~(1u << (slot % 32));
            }
            if (!s->slot_used[w])
                s->words_used[hi] &= ~(1u << (w % 32));
        }
}

static void flush(struct vm *vm, const struct gptw_mmu *keep)
{
    struct shadow *s = &vm->shadow;
    /* The window slot stays: the VMM runs on this table right now. */
    clear_slots(vm, keep);
    marked_clear(s->window, s->window_set);
    marked_clear(s->low, s->low_set);
    s->pool_used = 0;
    s->nr_mixed = 0;
    if (!keep)   /* the kept sections' real domains stay allocated */
        reset_domains(s);
    install_fixed(s);
    s->real_dacr = real_dacr(s, s->guest_dacr, s->vpriv);
    mmu_flush_all(s->real_dacr);
    s->flushed = true;
}

void shadow_note_resume(struct vm *vm, uint32_t trap, uint32_t pc)
{
    struct shadow *s = &vm->shadow;
    if (!s->flushed)
        return;
    s->flushed = false;
    s->fresh_trap = trap;
    s->fresh_pc = pc;
}

bool shadow_fresh(const struct vm *vm, uint32_t trap, uint32_t pc)
{
    const struct shadow *s = &vm->shadow;
    return !s->flushed && trap == s->fresh_trap + 1 && pc == s->fresh_pc;
}

void shadow_flush(struct vm *vm)
{
    flush(vm, 0);
}

void shadow_flush_tlb(struct vm *vm, const struct gptw_mmu *mmu)
{
    struct shadow *s = &vm->shadow;
    bool same = mmu->sctlr == s->sctlr && mmu->fcse_pid == s->fcse_pid &&
                (mmu->sctlr & GPTW_SCTLR_M);
    s->sctlr = mmu->sctlr;
    s->fcse_pid = mmu->fcse_pid;
    flush(vm, same ? mmu : 0);
}

static void flush_entry(struct shadow *s, uint32_t *pte, uint32_t va, bool section)
{
    if (!section)
        mmu_unmap_va(va);
    *pte = 0;
    sync(pte, 4);
    if (section)
        mmu_flush_all(s->real_dacr);
}

void shadow_flush_mva(struct vm *vm, uint32_t mva)
{
    struct shadow *s = &vm->shadow;
    unsigned slot = L1_INDEX(mva);
    uint32_t desc = s->l1[slot];
    uint32_t *table = slot == SLOT_WINDOW ? s->window
                      : s->slot_table[slot] ? pool[vm->id][s->slot_table[slot] - 1]
                      : slot_is_mixed(s, slot) ? s->low : 0;

    if ((desc & 3) == L1_TYPE_SECTION)
        flush_entry(s, &s->l1[slot], mva & L1_SECT_BASE_MASK, true);
    else if (table && !va_is_vmm(s, mva) && table[L2C_INDEX(mva)])
        flush_entry(s, &table[L2C_INDEX(mva)], mva, false);
    for (unsigned i = 0; i < s->nr_mixed; i++)
        if (*s->mixed[i].pte == 0)
            s->mixed[i] = s->mixed[--s->nr_mixed];
}

void shadow_set_guest_vectors(struct vm *vm, bool guest_high)
{
    if (vm->shadow.vectors_low == guest_high)
        return;
    vm->shadow.vectors_low = guest_high;
    shadow_flush(vm);
    mmu_set_high_vectors(!guest_high);
}

void shadow_set_dacr(struct vm *vm, uint32_t guest_dacr, bool vpriv)
{
    struct shadow *s = &vm->shadow;
    if (vpriv != s->vpriv)
        for (unsigned i = 0; i < s->nr_mixed; i++) {
            *s->mixed[i].pte = vpriv ? s->mixed[i].priv_desc : s->mixed[i].user_desc;
            sync(s->mixed[i].pte, 4);
        }
    if (vpriv != s->vpriv && s->nr_mixed)
        cp15_write_tlb_invalidate_all(0);
    s->vpriv = vpriv;
    s->guest_dacr = guest_dacr;
    s->real_dacr = real_dacr(s, guest_dacr, vpriv);
    cp15_write_dacr(s->real_dacr);
}

bool shadow_is_passthrough(const struct vm *vm, uint32_t gpa)
{
    uint32_t page = gpa & ~(PAGE_SIZE - 1);
    return ((vm->passthrough & BOOT_PASSTHROUGH_UART0) && page == INTEGRATOR_UART0_BASE) ||
           ((vm->passthrough & BOOT_PASSTHROUGH_UART1) && page == INTEGRATOR_UART1_BASE);
}

static unsigned ap_of(unsigned perm)
{
    return perm == GPTW_PERM_RW ? AP_USER_RW : perm == GPTW_PERM_RO ? AP_USER_RO : AP_PRIV_ONLY;
}

static void pool_clear(struct vm *vm, unsigned idx)
{
    marked_clear(pool[vm->id][idx], pool_set[vm->id][idx]);
}

static void pool_set_entry(struct vm *vm, unsigned idx, uint32_t va, uint32_t desc)
{
    marked_set(pool[vm->id][idx], pool_set[vm->id][idx], L2C_INDEX(va), desc);
}

/* A coarse table for slot, in domain `domain`; a table of another domain is emptied first (the
 * domain lives in the L1 descriptor, shared by the whole megabyte). */
static uint32_t *coarse_for(struct vm *vm, unsigned slot, unsigned domain)
{
    struct shadow *s = &vm->shadow;
    unsigned idx = s->slot_table[slot];

    if (!idx) {
        if (s->pool_used == (1ull << SHADOW_TABLES_PER_VM) - 1)
            shadow_flush(vm);   /* pool exhausted: start over, pages fault back in */
        while (s->pool_used & (1ull << idx))
            idx++;
        s->pool_used |= 1ull << idx;
        s->slot_table[slot] = (uint8_t)++idx;
        s->section_from[slot] = 0;
        pool_clear(vm, idx - 1);
        if (s->l1[slot])   /* a section was there */
            mmu_flush_all(s->real_dacr);
    }
    uint32_t *t = pool[vm->id][idx - 1];
    uint32_t want = l1_coarse(vmm_pa(t).pa, domain);
    if (s->l1[slot] != want) {
        if ((s->l1[slot] & 3) == L1_TYPE_COARSE) {
            pool_clear(vm, idx - 1);
            mmu_flush_all(s->real_dacr);
        }
        set_l1(s, slot, want);
    }
    return t;
}

/* A real 4 KB page has one AP: a guest page whose 1 KB parts differ (subpage APs of a small
 * page, tiny pages) cannot be shadowed and is emulated instead.  Large pages are shadowed 4 KB
 * at a time, each inside one 16 KB subpage. */
static bool one_ap_per_4k(const struct gptw_result *r)
{
    uint32_t aps = (r->l2_desc >> 4) & 0xff;
    if (r->map == GPTW_MAP_TINY)
        return false;
    return r->map != GPTW_MAP_SMALL || aps == (aps & 3) * 0x55;
}

/* A megabyte made only of trampoline pages gets a table of its own, outside the pool, which
 * survives TLB flushes like a section (its content depends on the guest's section alone). */
static uint32_t *region_table(struct vm *vm, uint32_t gpa)
{
    const struct vcpu_shared *sh = &vm->shared;
    uint32_t mb = gpa & L1_SECT_BASE_MASK, index = (mb - sh->gpa) / SECTION_SIZE;
    bool whole = sh->size && mb >= sh->gpa && mb + SECTION_SIZE <= sh->gpa + sh->size;
    return whole && index < SHADOW_REGION_TABLES ? region_tables[vm->id][index] : 0;
}

/* The trampoline region's pages in the megabyte of r, all at once: they are used together and
 * the guest maps them contiguously (a section, MMU off, or the image's mapping they borrow). */
static void map_region_megabyte(struct vm *vm, uint32_t *t, const struct gptw_result *r,
                                unsigned ap)
{
    const struct vcpu_shared *sh = &vm->shared;
    uint32_t mb = r->pa & L1_SECT_BASE_MASK, end = mb + SECTION_SIZE;
    uint32_t from = sh->gpa > mb ? sh->gpa : mb;
    uint32_t to = sh->gpa + sh->size < end ? sh->gpa + sh->size : end;
    uint32_t shared = l2_small(sh->page_hpa.pa, ap, 0);
    for (uint32_t gpa = from; gpa < to; gpa += PAGE_SIZE)
        t[L2C_INDEX(gpa)] = FASTPATH_IS_SHARED_PAGE((gpa - sh->gpa) / PAGE_SIZE)
                                ? shared : l2_small(vm->ram_hpa.pa + gpa, ap, 1);
    sync(&t[L2C_INDEX(from)], (to - from) / PAGE_SIZE * 4);
}

static bool real_allows(unsigned class_perm, enum gptw_access access)
{
    return gptw_perm_allows(class_perm, access);
}

bool shadow_map(struct vm *vm, const struct gptw_mmu *mmu, const struct gptw_result *r,
                enum gptw_access access, bool user_access)
{
    struct shadow *s = &vm->shadow;
    uint32_t va = r->va, slot = L1_INDEX(va);
    bool flat = r->map == GPTW_MAP_FLAT, ram = r->pa < vm->ram_size;
    bool pt = !ram && shadow_is_passthrough(vm, r->pa);
    unsigned priv = flat ? GPTW_PERM_RW : gptw_ap_perm(r->ap, mmu->sctlr, false);
    unsigned user = flat ? GPTW_PERM_RW : gptw_ap_perm(r->ap, mmu->sctlr, true);
    enum page_class cls = user == GPTW_PERM_NONE ? PAGE_PRIV_ONLY : PAGE_USER_VISIBLE;
    unsigned ap = ap_of(cls == PAGE_PRIV_ONLY ? priv : user);
    bool manager = !flat && r->dom_type == GPTW_DOM_MANAGER;
    uint32_t hpa = ram ? vm->ram_hpa.pa + r->pa : r->pa;
    /* The vCPU's page shared with the guest kernel, with the permissions the guest gives its
     * own memory there (kernel-only in Linux's linear map); uncached, see vcpu_shared.h. */
    hpa_t shared_page;
    bool shared = ram && vcpu_shared_page_at(vm, r->pa, &shared_page);
    bool cached = ram && !shared;

    if (shared)
        hpa = shared_page.pa;

    if ((!ram && !pt) || va_is_vmm(s, va) || !one_ap_per_4k(r))
        return false;   /* emulated: device, the VMM's page, 1 KB subpages */

    if (slot_is_mixed(s, slot)) {
        bool window = slot == SLOT_WINDOW;
        uint32_t *t = window ? s->window : s->low, *pte = &t[L2C_INDEX(va)];
        uint32_t user_desc = l2_small(hpa, manager ? AP_USER_RW : ap_of(user), cached);
        uint32_t priv_desc = l2_small(hpa, manager ? AP_USER_RW : ap, cached);
        if (cls == PAGE_PRIV_ONLY && !manager) {
            /* One entry per page: a page mapped again (after a fault on it) replaces its own. */
            unsigned i = 0;
            while (i < s->nr_mixed && s->mixed[i].pte != pte)
                i++;
            if (i == SHADOW_MIXED_MAX)
                return false;
            s->mixed[i] = (struct shadow_mixed){ pte, priv_desc, user_desc };
            if (i == s->nr_mixed)
                s->nr_mixed++;
        }
        marked_set(t, window ? s->window_set : s->low_set, L2C_INDEX(va),
                   s->vpriv ? priv_desc : user_desc);
    } else {
        uint8_t dom = flat ? DOMAIN_VMM : vdomain_get(&s->dom, r->domain, cls);
        if (dom == VDOMAIN_NONE) {   /* every real domain taken: start over */
            shadow_flush(vm);
            dom = vdomain_get(&s->dom, r->domain, cls);
            s->real_dacr = real_dacr(s, s->guest_dacr, s->vpriv);
        }
        bool section = (flat || r->map == GPTW_MAP_SECTION) && !s->slot_table[slot] &&
                       (ram ? (r->pa | (SECTION_SIZE - 1)) < vm->ram_size : false) &&
                       !vcpu_shared_in_megabyte(vm, r->pa);
        if (section) {
            set_l1(s, slot, l1_section(hpa & L1_SECT_BASE_MASK, dom, flat ? AP_USER_RW : ap, 1));
            /* a guest section seen without the FCSE: keepable across TLB flushes */
            s->section_from[slot] = flat || mmu->fcse_pid ? 0 : r->l1_desc;
        } else if ((flat || r->map == GPTW_MAP_SECTION) && ram && region_table(vm, r->pa) &&
                   !s->slot_table[slot]) {
            uint32_t *t = region_table(vm, r->pa);
            map_region_megabyte(vm, t, r, flat ? AP_USER_RW : ap);
            if ((s->l1[slot] & 3) == L1_TYPE_SECTION)
                mmu_flush_all(s->real_dacr);
            set_l1(s, slot, l1_coarse(vmm_pa(t).pa, dom));
            s->section_from[slot] = flat || mmu->fcse_pid ? 0 : r->l1_desc;
        } else {
            uint32_t *t = coarse_for(vm, slot, dom);
            unsigned idx = s->slot_table[slot] - 1u;
            pool_set_entry(vm, idx, va, l2_small(hpa, flat ? AP_USER_RW : ap, cached));
            if ((flat || r->map == GPTW_MAP_SECTION) && ram && vcpu_shared_in_region(vm, r->pa)) {
                map_region_megabyte(vm, t, r, flat ? AP_USER_RW : ap);
                for (unsigned w = 0; w < L2C_ENTRIES / 32; w++)
                    pool_set[vm->id][idx][w] = ~0u;   /* filled by range */
            }
        }
        s->real_dacr = real_dacr(s, s->guest_dacr, s->vpriv);
        cp15_write_dacr(s->real_dacr);
    }
    mmu_flush_va(va);
    /* What the real CPU (always User mode) may now do there. */
    if (manager || flat)
        return true;
    if (cls == PAGE_PRIV_ONLY)
        return s->vpriv && !user_access && real_allows(priv, access);
    return real_allows(user, access);
}
