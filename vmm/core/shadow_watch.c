#include "shadow_watch.h"

#include "mmu.h"
#include "vcpu_shared.h"
#include "vm.h"

#define WATCH_USED      1u
#define PAGES_PER_MB    (SECTION_SIZE / PAGE_SIZE)
#define DACR_CLIENT     1u
#define DACR_MANAGER    3u

/* The splits' tables: uncached for the VMM like the shadow's others (shadow.c). */
static uint32_t split_tables[MAX_VMS][SHADOW_SPLITS][L2C_ENTRIES]
    __attribute__((section(".uncached"), aligned(L2C_TABLE_SIZE)));
/* Bit per guest page a coarse entry of the shadow may map writable: a new watch looks for
 * those entries only then. */
static uint32_t mapped_rw[MAX_VMS][VM_RAM_MAX_MB * PAGES_PER_MB / 32];

static bool bit_get(const uint32_t *bits, uint32_t i)
{
    return bits[i / 32] >> (i % 32) & 1;
}

static void bit_put(uint32_t *bits, uint32_t i, bool on)
{
    if (on)
        bits[i / 32] |= 1u << (i % 32);
    else
        bits[i / 32] &= ~(1u << (i % 32));
}

static uint32_t mb_of(uint32_t gpa)
{
    return gpa & L1_SECT_BASE_MASK;
}

/* Whether watch w is in use, on a page of RAM megabyte mb. */
static bool watch_in_megabyte(const struct shadow_watch *w, uint32_t mb)
{
    return w->page && mb_of(w->page) == mb;
}

/* The index of guest page gpa's watch, -1: none. */
static int watch_index(const struct shadow *s, uint32_t gpa)
{
    uint32_t page = gpa & ~(PAGE_SIZE - 1);
    if (!bit_get(s->watched_mb, gpa >> L1_SHIFT))
        return -1;
    for (unsigned i = 0; i < SHADOW_WATCH_MAX; i++)
        if (s->watch[i].page == (page | WATCH_USED))
            return (int)i;
    return -1;
}

bool watch_is(const struct vm *vm, uint32_t gpa)
{
    return watch_index(&vm->shadow, gpa) >= 0;
}

static uint32_t *split_table(const struct vm *vm, const struct shadow_split *sp)
{
    return split_tables[vm->id][sp - vm->shadow.split];
}

/* A split's entry for page gpa: read-only while watched. */
static uint32_t split_entry(const struct vm *vm, uint32_t gpa, bool watched)
{
    return l2_small(vm->ram_hpa.pa + gpa, watched ? AP_USER_RO : AP_USER_RW, 1);
}

/* Page gpa's entry in every split of its megabyte: read-only while watched. */
static void splits_set_page(struct vm *vm, uint32_t gpa, bool read_only, bool flush_tlb)
{
    struct shadow *s = &vm->shadow;
    for (unsigned i = 0; i < SHADOW_SPLITS; i++) {
        struct shadow_split *sp = &s->split[i];
        if (!sp->slot1 || sp->mb != mb_of(gpa))
            continue;
        split_table(vm, sp)[L2C_INDEX(gpa)] = split_entry(vm, gpa, read_only);
        if (flush_tlb)
            mmu_flush_va((sp->slot1 - 1u) << L1_SHIFT | (gpa & ~L1_SECT_BASE_MASK));
    }
}

static void watch_end(struct vm *vm, struct shadow_watch *w)
{
    struct shadow *s = &vm->shadow;
    uint32_t page = w->page & ~WATCH_USED;
    for (uint64_t t = w->tables; t; t &= t - 1) {
        unsigned id = (unsigned)__builtin_ctzll(t);
        s->clean_from[id] = 0;
        s->watch_of[id] = 0;
    }
    *w = (struct shadow_watch){ 0, 0 };
    bool others = false;
    for (unsigned i = 0; i < SHADOW_WATCH_MAX; i++)
        others |= watch_in_megabyte(&s->watch[i], mb_of(page));
    bit_put(s->watched_mb, page >> L1_SHIFT, others);
    splits_set_page(vm, page, false, true);
}

void watch_end_all(struct vm *vm)
{
    for (unsigned i = 0; i < SHADOW_WATCH_MAX; i++)
        if (vm->shadow.watch[i].page)
            watch_end(vm, &vm->shadow.watch[i]);
}

void watch_note_write(struct vm *vm, uint32_t gpa, uint32_t bytes)
{
    uint32_t last = (gpa + bytes - 1) & ~(PAGE_SIZE - 1);
    for (uint32_t page = gpa & ~(PAGE_SIZE - 1); bytes; page += PAGE_SIZE) {
        int i = watch_index(&vm->shadow, page);
        if (i >= 0) {
            watch_end(vm, &vm->shadow.watch[i]);
            vm->stats.watch_writes++;
        }
        if (page == last)
            break;
    }
}

void watch_note_mapped(struct vm *vm, uint32_t gpa)
{
    bit_put(mapped_rw[vm->id], gpa / PAGE_SIZE, true);
}

void watch_forget_table(struct vm *vm, unsigned id)
{
    struct shadow *s = &vm->shadow;
    if (!s->watch_of[id])
        return;
    struct shadow_watch *w = &s->watch[s->watch_of[id] - 1u];
    s->clean_from[id] = 0;
    s->watch_of[id] = 0;
    w->tables &= ~(1ull << id);
    if (!w->tables)
        watch_end(vm, w);
}

/* ---------------------------------------------------------------- splits */

static struct shadow_split *split_at(struct shadow *s, unsigned slot)
{
    for (unsigned i = 0; i < SHADOW_SPLITS; i++)
        if (s->split[i].slot1 == slot + 1u)
            return &s->split[i];
    return 0;
}

bool watch_drop_split(struct vm *vm, unsigned slot)
{
    struct shadow_split *sp = split_at(&vm->shadow, slot);
    if (sp)
        sp->slot1 = 0;
    return sp != 0;
}

/* Slot's entry := a split of RAM megabyte mb in guest domain gdom, of class cls, for a real
 * section of AP ap (only User RW ones: every page writable but the watched ones).  False: not
 * such a section, or no split or real domain left. */
static bool split_install(struct vm *vm, unsigned slot, uint32_t mb, unsigned gdom,
                          enum page_class cls, unsigned ap)
{
    struct shadow *s = &vm->shadow;
    struct shadow_split *sp = split_at(s, slot);
    if (ap != AP_USER_RW)
        return false;
    uint8_t dom = shadow_domain_get(s, gdom, (enum page_class)(PAGE_SPLIT + cls));
    if (sp && sp->mb == mb &&
        s->l1[slot] == l1_coarse(vmm_pa(split_table(vm, sp)).pa, dom))
        return true;   /* its entries follow the watches already */
    for (unsigned i = 0; !sp && i < SHADOW_SPLITS; i++)
        if (!s->split[i].slot1)
            sp = &s->split[i];
    if (!sp || dom == VDOMAIN_NONE)
        return false;
    *sp = (struct shadow_split){ slot + 1u, mb };
    uint32_t *t = split_table(vm, sp);
    for (unsigned i = 0; i < PAGES_PER_MB; i++)
        t[i] = split_entry(vm, mb + i * PAGE_SIZE, false);
    for (unsigned i = 0; i < SHADOW_WATCH_MAX; i++)
        if (watch_in_megabyte(&s->watch[i], mb))
            t[L2C_INDEX(s->watch[i].page)] =
                split_entry(vm, s->watch[i].page & ~WATCH_USED, true);
    shadow_set_l1(s, slot, l1_coarse(vmm_pa(t).pa, dom));
    return true;
}

/* The watches of megabyte mb end (a split cannot keep them). */
static void watch_end_megabyte(struct vm *vm, uint32_t mb)
{
    struct shadow *s = &vm->shadow;
    for (unsigned i = 0; i < SHADOW_WATCH_MAX; i++)
        if (watch_in_megabyte(&s->watch[i], mb))
            watch_end(vm, &s->watch[i]);
}

bool watch_map_section(struct vm *vm, unsigned slot, uint32_t mb, unsigned gdom,
                       enum page_class cls, unsigned ap, bool usable)
{
    struct shadow *s = &vm->shadow;
    /* (a split stays after its watches end: the next one there would make it again) */
    if ((bit_get(s->watched_mb, mb >> L1_SHIFT) || split_at(s, slot)) && usable &&
        split_install(vm, slot, mb, gdom, cls, ap))
        return true;
    watch_end_megabyte(vm, mb);
    watch_drop_split(vm, slot);
    return false;
}

/* Every real section over RAM megabyte mb becomes a split (they are the guest's, in a Client
 * or Manager domain, with the MMU on); false if one cannot. */
static bool split_sections(struct vm *vm, uint32_t mb)
{
    struct shadow *s = &vm->shadow;
    uint32_t want = vm->ram_hpa.pa + mb;
    for (unsigned hi = 0; hi < L1_ENTRIES / 1024; hi++)
        for (uint32_t words = s->words_used[hi]; words; words &= words - 1) {
            unsigned w = hi * 32 + (unsigned)__builtin_ctz(words);
            for (uint32_t bits = s->slot_used[w]; bits; bits &= bits - 1) {
                unsigned slot = w * 32 + (unsigned)__builtin_ctz(bits);
                uint32_t d = s->l1[slot];
                if ((d & 3) != L1_TYPE_SECTION || (d & L1_SECT_BASE_MASK) != want)
                    continue;
                unsigned real = d >> 5 & 15;
                if (real >= VDOMAIN_REAL_MAX)
                    return false;   /* the VMM's (MMU off) */
                unsigned gdom = s->dom.guest_domain[real];
                enum page_class cls = (enum page_class)s->dom.page_class[real];
                unsigned type = s->guest_dacr >> (2 * gdom) & 3;
                if ((type != DACR_CLIENT && type != DACR_MANAGER) ||
                    !split_install(vm, slot, mb, gdom, cls, d >> 10 & 3))
                    return false;
            }
        }
    return true;
}

/* Page gpa becomes watched: no writable real mapping of it is left (false: one would be). */
static bool watch_protect(struct vm *vm, uint32_t gpa)
{
    struct shadow *s = &vm->shadow;
    if (!split_sections(vm, mb_of(gpa)))
        return false;
    if (bit_get(mapped_rw[vm->id], gpa / PAGE_SIZE)) {
        shadow_forget_page(vm, gpa);
        bit_put(mapped_rw[vm->id], gpa / PAGE_SIZE, false);
    }
    bit_put(s->watched_mb, gpa >> L1_SHIFT, true);
    splits_set_page(vm, gpa, true, false);
    return true;
}

void watch_table(struct vm *vm, unsigned id, uint32_t from)
{
    struct shadow *s = &vm->shadow;
    uint32_t page = from & GPTW_L1_COARSE_BASE_MASK & ~(PAGE_SIZE - 1);
    watch_forget_table(vm, id);
    if (page >= vm->ram_size || vcpu_shared_in_megabyte(vm, page))
        return;   /* (the trampolines' megabytes have tables of their own, never split) */
    int at = watch_index(s, page);
    struct shadow_watch *w = at >= 0 ? &s->watch[at] : 0;
    for (unsigned i = 0; !w && i < SHADOW_WATCH_MAX; i++)
        if (!s->watch[i].page) {
            if (!watch_protect(vm, page))
                return;
            w = &s->watch[i];
            w->page = page | WATCH_USED;
        }
    if (!w)
        return;
    w->tables |= 1ull << id;
    s->watch_of[id] = (uint8_t)(w - s->watch + 1);
    s->clean_from[id] = from;
    watch_renew(vm, id);
}

void watch_renew(struct vm *vm, unsigned id)
{
    struct shadow *s = &vm->shadow;
    s->clean_gen[id] = ++s->watch_gens ? s->watch_gens : ++s->watch_gens;   /* (never 0) */
}
