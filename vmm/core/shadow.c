#include "shadow.h"

#include "cp15.h"
#include "integratorcp.h"
#include "memlayout.h"
#include "mmu.h"
#include "table_check.h"
#include "fastpath.h"
#include "guest_mem.h"
#include "shadow_watch.h"
#include "vm.h"

#define SLOT_WINDOW   (VMM_VIRT_BASE >> L1_SHIFT)
#define SLOT_LOW      0u

/* The shadow's tables are uncached for the VMM (vmm.ld.S's .uncached) as the hardware walker
 * reads them, from memory: a write needs no clean for the walker, only the TLB maintenance. */
static uint32_t l1s[MAX_VMS][L1_ENTRIES]
    __attribute__((section(".uncached"), aligned(L1_TABLE_ALIGN)));
static uint32_t windows[MAX_VMS][MMU_WINDOW_WORDS]
    __attribute__((section(".uncached"), aligned(L2C_TABLE_SIZE)));
static uint32_t lows[MAX_VMS][SHADOW_CONTEXTS + 1][L2C_ENTRIES]
    __attribute__((section(".uncached"), aligned(L2C_TABLE_SIZE)));
static uint32_t pool[MAX_VMS][SHADOW_TABLES_PER_VM][L2C_ENTRIES]
    __attribute__((section(".uncached"), aligned(L2C_TABLE_SIZE)));
static uint32_t region_tables[MAX_VMS][SHADOW_REGION_TABLES][L2C_ENTRIES]
    __attribute__((section(".uncached"), aligned(L2C_TABLE_SIZE)));
/* Bit per entry a pool table may hold: a table is emptied entry by entry, not all 256.  Each
 * such bitmap has SET_WORDS words and then a summary word, a bit per word that may be non-0. */
#define SET_WORDS SHADOW_SET_WORDS
#define SET_ALL   ((1u << SET_WORDS) - 1u)
static uint32_t pool_set[MAX_VMS][SHADOW_TABLES_PER_VM][SET_WORDS + 1];
/* The guest L2 descriptor each entry of a coarse table was made from (0: none): a TLB flush
 * keeps the entries whose descriptor is still there. */
static uint32_t pool_src[MAX_VMS][SHADOW_TABLES_PER_VM][L2C_ENTRIES];
static uint32_t window_src[MAX_VMS][L2C_ENTRIES];
static uint32_t low_set[MAX_VMS][SHADOW_CONTEXTS + 1][SET_WORDS + 1];
static uint32_t low_src[MAX_VMS][SHADOW_CONTEXTS + 1][L2C_ENTRIES];

/* A coarse table of the shadow as a flush sees it: the entries, which are set, their sources;
 * for the window, its User-mode twin (mmu.h), whose entries follow t's (0: none); its VM and
 * id (shadow.h). */
struct coarse {
    uint32_t *t, *set, *src, *twin;
    struct vm *vm;
    unsigned id;
};

#define ID_LOW(i)  (SHADOW_TABLES_PER_VM + (i))
#define ID_WINDOW  (SHADOW_TABLES_PER_VM + SHADOW_CONTEXTS + 1)
#define ID_L1_MEMO(i) (SHADOW_TABLE_IDS + (i))

/* Each coarse table as a struct coarse, made once (shadow_init): a flush takes dozens of them. */
static struct coarse pool_coarses[MAX_VMS][SHADOW_TABLES_PER_VM];
static struct coarse low_coarses[MAX_VMS][SHADOW_CONTEXTS + 1];
static struct coarse window_coarses[MAX_VMS];


static struct shadow_dacr_memo dacr_memo_make(const struct shadow *s, uint32_t guest_dacr)
{
    return (struct shadow_dacr_memo){ guest_dacr, vdomain_real_dacr(&s->dom, guest_dacr, true),
                                      vdomain_real_dacr(&s->dom, guest_dacr, false),
                                      fastpath_dacr_need(guest_dacr) };
}

/* vdomain_real_dacr(), remembered: it runs at every mode change, DACR write and shadow fill. */
static uint32_t real_dacr(struct shadow *s, uint32_t guest_dacr, bool vpriv)
{
    for (unsigned i = 0; i < 2; i++) {
        const struct shadow_dacr_memo *m = &s->memo[i];
        if (m->guest == guest_dacr)
            return vpriv ? m->priv : m->user;
    }
    struct shadow_dacr_memo *m = &s->memo[s->memo_next];
    s->memo_next ^= 1;
    *m = dacr_memo_make(s, guest_dacr);
    return vpriv ? m->priv : m->user;
}

/* Whether DACR a grants some domain more than DACR b: Client where b has none, or Manager
 * where b has less. */
static bool dacr_grants_more(uint32_t a, uint32_t b)
{
    return ((a & ~b) | (a & a >> 1 & ~(b >> 1))) & 0x55555555u;
}

/* The SWI path's memo for User-mode guest DACR key.  The DACR the kernel sets first
 * (entry_dacr) is taken at once if it only takes access away: its write then needs no trap
 * (the trampoline compares with VSHARED_DACR_NEED), and an access it refuses before that is a
 * domain fault trap_fast.S undoes (VSHARED_DACR, the guest's, differs from what the real one
 * grants). */
static void swi_memo_fill(struct shadow *s, uint32_t key)
{
    uint32_t g = s->entry_dacr && !dacr_grants_more(s->entry_dacr, key) ? s->entry_dacr : key;
    s->swi = (struct shadow_swi_memo){ key, real_dacr(s, g, true), fastpath_dacr_need(g), g };
}

/* The domain map changed: every memo is made again for its key, so that each always holds
 * (trap_fast.S compares the keys only). */
static void dacr_memos_refresh(struct shadow *s)
{
    for (unsigned i = 0; i < 2; i++)
        s->memo[i] = dacr_memo_make(s, s->memo[i].guest);
    swi_memo_fill(s, s->swi.key);
}

uint8_t shadow_domain_get(struct shadow *s, unsigned gdom, enum page_class c)
{
    unsigned used = s->dom.used;
    uint8_t dom = vdomain_get(&s->dom, gdom, c);
    if (s->dom.used != used)
        dacr_memos_refresh(s);
    return dom;
}

/* The domain map starts over: what was remembered of it is made again. */
static void reset_domains(struct shadow *s)
{
    vdomain_reset(&s->dom);
    dacr_memos_refresh(s);
}

static void clear_table(uint32_t *t, unsigned from, unsigned to)
{
    for (unsigned i = from; i < to; i++)
        t[i] = 0;
}

/* Coarse tables are emptied entry by entry, those set since the last time (a bit each in set),
 * not all 256: a flush empties a few of them per guest context switch. */
static void coarse_clear_entry(const struct coarse *c, unsigned i)
{
    c->t[i] = 0;
    if (c->twin)
        c->twin[i] = 0;
    c->src[i] = 0;
    c->set[i / 32] &= ~(1u << (i % 32));
    if (!c->set[i / 32])
        c->set[SET_WORDS] &= ~(1u << (i / 32));
}

/* Every entry marked set (a table whose content is unknown, or filled whole). */
static void set_all(uint32_t *set)
{
    for (unsigned w = 0; w < SET_WORDS; w++)
        set[w] = ~0u;
    set[SET_WORDS] = SET_ALL;
}

static void coarse_clear(const struct coarse *c)
{
    watch_forget_table(c->vm, c->id);
    for (uint32_t words = c->set[SET_WORDS]; words; words &= words - 1) {
        unsigned w = (unsigned)__builtin_ctz(words);
        for (uint32_t bits = c->set[w]; bits; bits &= bits - 1)
            coarse_clear_entry(c, w * 32 + (unsigned)__builtin_ctz(bits));
    }
}

static bool coarse_empty(const struct coarse *c)
{
    return !c->set[SET_WORDS];
}

/* Entry i := desc, made from the guest L2 descriptor src (0: none) under the guest L1
 * descriptor *from: the table's entries are all from one guest L1 descriptor or *from is 0. */
static void coarse_set(const struct coarse *c, unsigned i, uint32_t desc, uint32_t src,
                       uint32_t l1, uint32_t *from)
{
    if (coarse_empty(c))
        *from = l1;
    else if (*from != l1)
        *from = 0;
    c->t[i] = desc;
    if (c->twin)
        c->twin[i] = desc;
    c->src[i] = src;
    c->set[i / 32] |= 1u << (i % 32);
    c->set[SET_WORDS] |= 1u << (i / 32);
}

static const struct coarse *window_coarse(const struct vm *vm)
{
    return &window_coarses[vm->id];
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

/* The VMM's vectors page at the vector base the guest does not use := desc (0: none), and
 * megabyte 0's table in the L1 table while that is the VMM's (l1: its descriptor, or 0). */
static void set_vmm_vectors(struct shadow *s, uint32_t desc, uint32_t l1)
{
    if (s->vectors_low) {
        s->low[L2C_INDEX(LOW_VECTORS_VA)] = desc;
        s->l1[SLOT_LOW] = l1;
    } else {   /* (in both window tables) */
        s->window[L2C_INDEX(HIGH_VECTORS_VA)] = desc;
        s->window[L2C_ENTRIES + L2C_INDEX(HIGH_VECTORS_VA)] = desc;
    }
}

/* The VMM's own entries: the window in the L1 table, and its vectors page. */
static void install_fixed(struct shadow *s)
{
    *s->window_slot = s->window_desc[s->vpriv];
    set_vmm_vectors(s, mmu_vectors_desc(), l1_coarse(vmm_pa(s->low).pa, DOMAIN_VMM));
}

void shadow_init(struct vm *vm)
{
    struct shadow *s = &vm->shadow;
    *s = (struct shadow){ .l1 = l1s[vm->id], .window = windows[vm->id], .low = lows[vm->id][0],
                          .vpriv = true, .window_slot = &l1s[vm->id][SLOT_WINDOW] };
    window_coarses[vm->id] = (struct coarse){ s->window, s->window_set, window_src[vm->id],
                                              s->window + L2C_ENTRIES, vm, ID_WINDOW };
    s->window_desc[0] = mmu_window_desc(s->window, true);
    s->window_desc[1] = mmu_window_desc(s->window, false);
    clear_table(s->l1, 0, L1_ENTRIES);
    for (unsigned i = 0; i <= SHADOW_CONTEXTS; i++) {
        clear_table(lows[vm->id][i], 0, L2C_ENTRIES);
        low_coarses[vm->id][i] = (struct coarse){ lows[vm->id][i], low_set[vm->id][i],
                                                  low_src[vm->id][i], 0, vm, ID_LOW(i) };
    }
    for (unsigned t = 0; t < SHADOW_TABLES_PER_VM; t++) {
        pool_coarses[vm->id][t] = (struct coarse){ pool[vm->id][t], pool_set[vm->id][t],
                                                   pool_src[vm->id][t], 0, vm, t };
        set_all(pool_set[vm->id][t]);   /* first use empties all of it */
    }
    for (unsigned i = 0; i < SHADOW_CONTEXTS; i++)
        s->ctx[i].low = -1;
    mmu_window_clone(s->window);
    reset_domains(s);
    install_fixed(s);
    s->real_dacr = real_dacr(s, 0, true);
}

/* Slot's entry, its source or its pool table is set or changes: what the L1 memos say of its
 * page of slots no longer holds.  (A slot emptied needs nothing: a memo vouches for the slots
 * in use, and one set again comes back here.  Nor do the megabytes shared with the VMM, in no
 * slot_used: a flush checks them each time.) */
static void l1_touch(struct shadow *s, unsigned slot)
{
    s->l1_epoch[slot / 1024]++;
}

void shadow_set_l1(struct shadow *s, unsigned slot, uint32_t desc)
{
    l1_touch(s, slot);
    s->l1[slot] = desc;
    s->slot_used[slot / 32] |= 1u << (slot % 32);
    s->words_used[slot / 1024] |= 1u << (slot / 32 % 32);
}

/* Slot's entry goes: a split there is free again (shadow_watch.h); true if it was one. */
static bool drop_split(struct vm *vm, unsigned slot)
{
    const struct shadow *s = &vm->shadow;
    return (s->l1[slot] & 3) == L1_TYPE_COARSE && !s->slot_table[slot] &&
           watch_drop_split(vm, slot);
}

/* Slot's pool table: 1 + its index, 0: none. */
static void set_slot_table(struct shadow *s, unsigned slot, unsigned idx1)
{
    l1_touch(s, slot);
    s->slot_table[slot] = (uint8_t)idx1;
    if (idx1)
        s->slot_tables[slot / 32] |= 1u << (slot % 32);
    else
        s->slot_tables[slot / 32] &= ~(1u << (slot % 32));
}

/* A kept table's entries are checked after every L1 descriptor the flush reads: the reader
 * then maps each page of the guest's L1 table once, not once per kept table.  At most every
 * pool table, the window's and megabyte 0's. */
#define REVALIDATE_MAX (SHADOW_TABLES_PER_VM + 2)

struct coarse_check {
    unsigned id;
    uint32_t from;
};

/* The guest's tables as a flush reads them: first its L1 table alone (the pages of it read so
 * far, l1_mapped, stay good: four consecutive pages, in four sets of the table cache, and
 * nothing else is mapped meanwhile), then the coarse tables to revalidate, the page of them
 * mapped last (guest_table_page). */
_Static_assert(GUEST_TABLE_SETS >= L1_ENTRIES / 1024, "an L1 table's pages share no set");
struct guest_reader {
    struct vm *vm;
    uint32_t l1_base;   /* the guest L1 table's guest-physical address */
    unsigned l1_mapped; /* a bit per page of l1[] */
    const volatile uint32_t *l1[L1_ENTRIES / 1024];
    const volatile uint32_t *page;
    uint32_t at;   /* its guest-physical address + 1 (0: none) */
    unsigned nr;   /* kept tables to revalidate (coarse_revalidate) */
    bool window_kept;   /* an L1 memo vouched for the window's slot */
    unsigned unread;   /* and kept without (stats.tables_unread) */
    struct coarse_check todo[REVALIDATE_MAX];
};

/* The word of guest RAM at gpa, as the VMM reads it until the reader maps another page (0: not
 * RAM).  Uncached (guest_table_page): it reads what the guest cleaned to memory. */
static const volatile uint32_t *guest_ptr(struct guest_reader *g, uint32_t gpa)
{
    uint32_t base = gpa & ~(PAGE_SIZE - 1);
    if (g->at != base + 1) {
        g->page = guest_table_page(g->vm, base);
        g->at = base + 1;
    }
    return g->page ? g->page + (gpa - base) / 4 : 0;
}

/* Page hi (1024 slots) of the guest's L1 table (0: not RAM). */
static const volatile uint32_t *guest_l1_page(struct guest_reader *g, unsigned hi)
{
    if (!(g->l1_mapped & 1u << hi)) {
        g->l1[hi] = guest_table_page(g->vm, g->l1_base + hi * PAGE_SIZE);
        g->l1_mapped |= 1u << hi;
    }
    return g->l1[hi];
}

/* Whether the guest's L1 descriptor of slot, in the tables keep names, is still from. */
static bool guest_l1_is(struct guest_reader *g, const struct gptw_mmu *keep, unsigned slot,
                        uint32_t from)
{
    const volatile uint32_t *page = keep && from ? guest_l1_page(g, slot / 1024) : 0;
    return page && page[slot % 1024] == from;
}

static const struct coarse *pool_coarse(const struct vm *vm, unsigned idx)
{
    return &pool_coarses[vm->id][idx];
}

static void pool_clear(struct vm *vm, unsigned idx)
{
    coarse_clear(pool_coarse(vm, idx));
}

static const struct coarse *low_coarse(const struct vm *vm, unsigned idx)
{
    return &low_coarses[vm->id][idx];
}

/* The coarse table with id (shadow.h). */
static const struct coarse *id_coarse(const struct vm *vm, unsigned id)
{
    if (id == ID_WINDOW)
        return window_coarse(vm);
    return id < SHADOW_TABLES_PER_VM ? pool_coarse(vm, id) : low_coarse(vm, id - ID_LOW(0));
}

/* The coarse table of the shadow that holds slot's pages (the window's, the low one or a pool
 * table); false: none (a section, a trampoline megabyte's own table, nothing). */
static const struct coarse *slot_coarse(const struct vm *vm, unsigned slot)
{
    const struct shadow *s = &vm->shadow;
    if (slot == SLOT_WINDOW)
        return window_coarse(vm);
    if (s->slot_table[slot])
        return pool_coarse(vm, s->slot_table[slot] - 1u);
    if (slot_is_mixed(s, slot))
        return low_coarse(vm, s->low_idx);
    return 0;
}

/* Entries stay while the guest L2 descriptor they were made from is still in the guest table
 * that from (the L1 descriptor they were made from, a coarse one) names: a translation is those
 * two descriptors alone. */
static void coarse_revalidate(struct guest_reader *g, unsigned id, uint32_t from)
{
    if (!watch_clean(&g->vm->shadow, id, from))
        g->todo[g->nr++] = (struct coarse_check){ id, from };
    else   /* (its guest table's page unwritten since) */
        g->unread++;
}

static void coarse_check_entries(struct guest_reader *g, const struct coarse *c, uint32_t from)
{
    /* A guest coarse table is 1 KB inside one page: mapped once. */
    const volatile uint32_t *t = guest_ptr(g, from & GPTW_L1_COARSE_BASE_MASK);
    if (!t) {
        coarse_clear(c);
        return;
    }
    bool changed = false;
    for (uint32_t words = c->set[SET_WORDS]; words; words &= words - 1) {
        unsigned w = (unsigned)__builtin_ctz(words);
        for (uint32_t bits = arch_table_changed(&t[w * 32], &c->src[w * 32], c->set[w]); bits;
             bits &= bits - 1) {
            coarse_clear_entry(c, w * 32 + (unsigned)__builtin_ctz(bits));
            changed = true;
        }
    }
    /* A table the guest is changing (a process forking, faulting) is read again next time
     * rather than watched: each watch its writes ended would cost a fault. */
    if (!changed)
        watch_table(g->vm, c->id, from);
}

/* Whether slot's coarse table, made from the guest L1 descriptor from, is still the guest's in
 * the tables keep names. */
static bool coarse_still(struct guest_reader *g, const struct gptw_mmu *keep, unsigned slot,
                         uint32_t from)
{
    return (from & 3) == L1_TYPE_COARSE && guest_l1_is(g, keep, slot, from);
}

/* ---------------------------------------------------------------- address-space contexts
 * At a switch of guest tables (TTBR0), the coarse tables of the address space that stops
 * running are parked in a context of its own instead of emptied; when that address space runs
 * again, each comes back if the guest still has its L1 descriptor, revalidated entry by entry
 * (coarse_revalidate), so whatever the guest changed meanwhile, with or without TLB
 * maintenance, is seen.  Megabyte 0's table (the VMM's while the vectors are low) is parked the
 * same way: the VM has one more of them than contexts. */

/* Forgets a context: its pool tables are emptied when taken again (coarse_for), its megabyte-0
 * table likewise (low_take). */
static void context_drop(struct shadow *s, struct shadow_context *x)
{
    s->parked &= ~x->tables;
    x->ttbr = 0;
    x->nr = 0;
    x->tables = 0;
    x->low = -1;
}

/* A context for the address space at ttbr, which stops running: a free one, or the one that
 * has waited longest (never the one of next, which starts running). */
static struct shadow_context *context_new(struct shadow *s, uint32_t ttbr, uint32_t next)
{
    struct shadow_context *x = 0;
    for (unsigned i = 0; i < SHADOW_CONTEXTS; i++) {
        struct shadow_context *c = &s->ctx[i];
        if (c->ttbr != next && (!x || !c->ttbr || (x->ttbr && c->left_at < x->left_at)))
            x = c;
    }
    context_drop(s, x);
    x->ttbr = ttbr;
    x->left_at = s->switches;
    return x;
}

static struct shadow_context *context_find(struct shadow *s, uint32_t ttbr)
{
    for (unsigned i = 0; i < SHADOW_CONTEXTS; i++)
        if (ttbr && s->ctx[i].ttbr == ttbr)
            return &s->ctx[i];
    return 0;
}

/* Megabyte 0's table becomes lows[idx] (install_fixed() puts it in the L1 table). */
static void low_use(struct vm *vm, unsigned idx)
{
    vm->shadow.low_idx = idx;
    vm->shadow.low = lows[vm->id][idx];
}

/* An empty megabyte-0 table that neither the running address space nor a context holds. */
static void low_take(struct vm *vm)
{
    struct shadow *s = &vm->shadow;
    uint32_t held = 1u << s->low_idx;
    for (unsigned x = 0; x < SHADOW_CONTEXTS; x++)
        if (s->ctx[x].ttbr && s->ctx[x].low >= 0)
            held |= 1u << s->ctx[x].low;
    /* One table more than contexts, and the running one is held twice when a context takes
     * it (low_flush): one is always free. */
    unsigned i = (unsigned)__builtin_ctz(~held);
    coarse_clear(low_coarse(vm, i));
    low_use(vm, i);
}

/* Megabyte 0's table at a flush (while the vectors are low): kept and revalidated, parked in
 * out (true: megabyte 0 then needs another table, low_take()), or emptied. */
static bool low_flush(struct vm *vm, const struct gptw_mmu *keep, struct guest_reader *g,
                      struct shadow_context *out)
{
    struct shadow *s = &vm->shadow;
    uint32_t *from = &s->l1_from[SLOT_LOW];
    const struct coarse *c = low_coarse(vm, s->low_idx);
    bool parked = false;
    if (coarse_still(g, keep, SLOT_LOW, *from)) {
        coarse_revalidate(g, c->id, *from);
        return false;
    }
    if (out && (*from & 3) == L1_TYPE_COARSE) {
        out->low = (int)s->low_idx;
        out->low_from = *from;
        parked = true;
    } else {
        coarse_clear(c);
    }
    *from = 0;
    return parked;
}

/* The tables of the address space that runs now, back from its context (then dropped). */
static void context_resume(struct vm *vm, const struct gptw_mmu *keep, struct guest_reader *g,
                           struct shadow_context *in)
{
    struct shadow *s = &vm->shadow;
    for (unsigned i = 0; i < in->nr; i++) {
        const struct shadow_parked *p = &in->parked[i];
        if (s->l1[p->slot] || !coarse_still(g, keep, p->slot, p->from)) {
            pool_clear(vm, p->idx);
            s->pool_used &= ~((shadow_pool_set)1 << p->idx);
            continue;
        }
        coarse_revalidate(g, p->idx, p->from);
        shadow_set_l1(s, p->slot, p->desc);
        set_slot_table(s, p->slot, p->idx + 1u);
        s->l1_from[p->slot] = p->from;
    }
    if (in->low >= 0) {
        const struct coarse *c = low_coarse(vm, (unsigned)in->low);
        if (s->vectors_low && !s->l1_from[SLOT_LOW] &&
            coarse_still(g, keep, SLOT_LOW, in->low_from)) {
            coarse_revalidate(g, c->id, in->low_from);
            low_use(vm, (unsigned)in->low);
            s->l1_from[SLOT_LOW] = in->low_from;
        } else {
            coarse_clear(c);
        }
    }
    context_drop(s, in);
}

/* ---------------------------------------------------------------- L1 memos
 * A flush compares every slot in use with the guest's L1 table: at a context switch, a
 * kernel's dozens of sections, which are the same in every address space.  A page of the guest
 * L1 table (1024 slots) whose slots in use all matched is remembered and watched (watch_table,
 * under an id of its own): while nothing wrote it and the shadow's slots there did not change
 * (l1_epoch), the next flush with the same page keeps them without comparing. */

static const struct shadow_l1_memo *l1_memo_holds(const struct shadow *s, unsigned hi,
                                                  uint32_t page)
{
    for (unsigned i = 0; i < SHADOW_L1_MEMOS; i++) {
        const struct shadow_l1_memo *m = &s->l1_memo[i];
        if (m->page == (page | 1u) && m->epoch == s->l1_epoch[hi] &&
            watch_clean(s, ID_L1_MEMO(i), page | 1u))
            return m;
    }
    return 0;
}

/* m's list of page hi's slots with a pool table; false if they are too many for one. */
static bool l1_memo_tables(const struct shadow *s, struct shadow_l1_memo *m, unsigned hi)
{
    m->nr_tables = 0;
    for (uint32_t words = s->words_used[hi]; words; words &= words - 1) {
        unsigned w = hi * 32 + (unsigned)__builtin_ctz(words);
        for (uint32_t bits = s->slot_used[w] & s->slot_tables[w]; bits; bits &= bits - 1) {
            if (m->nr_tables == SHADOW_L1_TABLES)
                return false;
            m->tables[m->nr_tables++] = (uint16_t)(w * 32 + (unsigned)__builtin_ctz(bits));
        }
    }
    return true;
}

/* Whether the window's slot still has the guest L1 descriptor its table was made from, in the
 * page the reader has mapped (a change of that source moves l1_epoch too, so a memo of the
 * page may vouch for it).  coarse_still() for the window, without its keep: a call of
 * coarse_still() from here made the compiled flush ~45 instructions a switch longer. */
static bool window_still(struct guest_reader *g)
{
    uint32_t from = g->vm->shadow.l1_from[SLOT_WINDOW];
    const volatile uint32_t *view = guest_l1_page(g, SLOT_WINDOW / 1024);
    return (from & 3) == L1_TYPE_COARSE && view && view[SLOT_WINDOW % 1024] == from;
}

/* What memo k is worth keeping: nothing when free, then its sightings, then most when watched. */
static unsigned l1_memo_worth(const struct shadow *s, unsigned k)
{
    const struct shadow_l1_memo *m = &s->l1_memo[k];
    if (!m->page)
        return 0;
    return watch_clean(s, ID_L1_MEMO(k), m->page) ? SHADOW_L1_SEEN + 1u : m->seen;
}

/* Page hi of the guest's L1 table (at page) was found matching.  It is watched only once
 * SHADOW_L1_SEEN flushes in a row have found it so: a watch costs a fault when the page is
 * written, and a page the allocator hands from one short-lived address space to the next (a
 * child's table, rewritten at each fork) would pay it for nothing.  Then the next flush with it
 * compares nothing there.  A new page takes a free memo, else the unwatched one seen fewest
 * times, else the next in turn. */
static void l1_memo_note(struct vm *vm, struct guest_reader *g, unsigned hi, uint32_t page)
{
    struct shadow *s = &vm->shadow;
    unsigned i = 0;
    while (i < SHADOW_L1_MEMOS && s->l1_memo[i].page != (page | 1u))
        i++;
    if (i < SHADOW_L1_MEMOS) {
        struct shadow_l1_memo *m = &s->l1_memo[i];
        if (!l1_memo_tables(s, m, hi)) {   /* (too many coarse tables there for a memo) */
            watch_forget_table(vm, ID_L1_MEMO(i));
            m->page = 0;
            return;
        }
        /* (counted while the shadow's slots there stay as they were: an address space that
         * runs between two sightings of a page reused for another one changes them) */
        m->seen = m->epoch != s->l1_epoch[hi] ? 1 : m->seen < SHADOW_L1_SEEN ? m->seen + 1 : m->seen;
        if (m->seen == SHADOW_L1_SEEN && !watch_clean(s, ID_L1_MEMO(i), page | 1u)) {
            watch_table(vm, ID_L1_MEMO(i), page | 1u);   /* (may split sections: l1_epoch moves) */
            if (!watch_clean(s, ID_L1_MEMO(i), page | 1u))
                m->seen = 0;   /* (no watch or split left: tried again later, not each time) */
        }
        m->epoch = s->l1_epoch[hi];
        m->window = hi == SLOT_WINDOW / 1024 && window_still(g);
        return;
    }
    i = s->l1_memo_next;
    for (unsigned n = 1; n < SHADOW_L1_MEMOS; n++) {
        unsigned k = (s->l1_memo_next + n) % SHADOW_L1_MEMOS;
        if (l1_memo_worth(s, k) < l1_memo_worth(s, i))
            i = k;
    }
    s->l1_memo_next = (i + 1u) % SHADOW_L1_MEMOS;
    watch_forget_table(vm, ID_L1_MEMO(i));
    s->l1_memo[i] = (struct shadow_l1_memo){ page | 1u, s->l1_epoch[hi], 1, 0, { 0 }, false };
}

/* A page of slots in use, all still the guest's (memo m holds): its coarse tables, the memo's
 * list (the same while the memo holds: any change moves l1_epoch), are kept, revalidated.
 * (Each has a coarse table's source: clear_page() found the page unchanged, so it kept them
 * all, before the memo was made.) */
static void keep_page(struct vm *vm, struct guest_reader *g, const struct shadow_l1_memo *m)
{
    struct shadow *s = &vm->shadow;
    for (unsigned i = 0; i < m->nr_tables; i++) {
        unsigned slot = m->tables[i], idx = s->slot_table[slot];
        s->pool_used |= (shadow_pool_set)1 << (idx - 1);
        coarse_revalidate(g, idx - 1, s->l1_from[slot]);
    }
}

/* Page hi's slots in use back to nothing, but what keep keeps: sections and whole trampoline
 * megabytes whose guest L1 descriptor (in view: 0, none) is the same, coarse tables whose guest
 * L1 descriptor is the same (revalidated); the other coarse tables are parked in out if there
 * is one (and room), else emptied.  True if a slot went. */
static bool clear_page(struct vm *vm, const volatile uint32_t *view, struct guest_reader *g,
                       struct shadow_context *out, unsigned hi)
{
    struct shadow *s = &vm->shadow;
    bool gone = false;
    for (uint32_t words = s->words_used[hi]; words; words &= words - 1) {
        unsigned w = hi * 32 + (unsigned)__builtin_ctz(words);
        uint32_t used = s->slot_used[w], same = 0;
        if (view)   /* (32 slots a call: table_check.S) */
            same = used & ~arch_table_changed(&view[w % 32 * 32], &s->l1_from[w * 32], used);
        /* (sections and trampoline megabytes the guest still has stay as they are) */
        for (uint32_t bits = used & ~(same & ~s->slot_tables[w]); bits; bits &= bits - 1) {
            unsigned slot = w * 32 + (unsigned)__builtin_ctz(bits), idx = s->slot_table[slot];
            uint32_t from = s->l1_from[slot];
            if (idx) {
                shadow_pool_set table = (shadow_pool_set)1 << (idx - 1);
                bool coarse = (from & 3) == L1_TYPE_COARSE;
                if (coarse && (same >> (slot % 32) & 1)) {   /* kept */
                    s->pool_used |= table;
                    coarse_revalidate(g, idx - 1, from);
                    continue;
                }
                if (coarse && out && out->nr < SHADOW_PARKED_MAX) {
                    out->parked[out->nr++] = (struct shadow_parked){
                        (uint16_t)slot, (uint8_t)(idx - 1), from, s->l1[slot] };
                    out->tables |= table;
                    s->parked |= table;
                    s->pool_used |= table;
                } else {
                    pool_clear(vm, idx - 1);
                }
                set_slot_table(s, slot, 0);
            } else {
                drop_split(vm, slot);
            }
            s->l1[slot] = 0;
            s->l1_from[slot] = 0;
            s->slot_used[w] &= ~(1u << (slot % 32));
            gone = true;
        }
        if (!s->slot_used[w])
            s->words_used[hi] &= ~(1u << (w % 32));
    }
    return gone;
}

/* Every guest slot's L1 entry back to nothing, but what keep keeps (clear_page); a page of
 * slots an L1 memo vouches for is kept whole, one found unchanged gets a memo.  Marks the
 * tables kept or parked in pool_used. */
static void clear_slots(struct vm *vm, const struct gptw_mmu *keep, struct guest_reader *g,
                        struct shadow_context *out)
{
    struct shadow *s = &vm->shadow;
    unsigned unchanged = 0;   /* a bit per page of slots found unchanged */
    for (unsigned hi = 0; hi < L1_ENTRIES / 1024; hi++) {
        if (!s->words_used[hi])
            continue;
        uint32_t page = g->l1_base + hi * PAGE_SIZE;
        const struct shadow_l1_memo *m = keep ? l1_memo_holds(s, hi, page) : 0;
        if (m) {
            g->window_kept |= m->window;
            keep_page(vm, g, m);
            vm->stats.l1_pages_unread++;
            continue;
        }
        /* One page of the guest L1 table, read directly (the reader maps nothing else
         * meanwhile). */
        const volatile uint32_t *view = keep ? guest_l1_page(g, hi) : 0;
        if (!clear_page(vm, view, g, out, hi) && view)
            unchanged |= 1u << hi;
    }
    /* Only now: a watch takes every writable mapping of its page away, and finds those of the
     * pool tables in pool_used, which the loop has just completed. */
    for (unsigned hi = 0; hi < L1_ENTRIES / 1024; hi++)
        if (unchanged >> hi & 1)
            l1_memo_note(vm, g, hi, g->l1_base + hi * PAGE_SIZE);
}

void shadow_forget_page(struct vm *vm, uint32_t gpa)
{
    uint32_t want = vm->ram_hpa.pa + gpa;
    for (unsigned id = 0; id < SHADOW_TABLE_IDS; id++) {
        const struct coarse *c = id_coarse(vm, id);
        if (id < SHADOW_TABLES_PER_VM && !(vm->shadow.pool_used >> id & 1))
            continue;   /* (a free pool table: in no L1 entry, emptied when taken) */
        for (uint32_t words = c->set[SET_WORDS]; words; words &= words - 1) {
            unsigned w = (unsigned)__builtin_ctz(words);
            for (uint32_t bits = c->set[w]; bits; bits &= bits - 1) {
                unsigned i = w * 32 + (unsigned)__builtin_ctz(bits);
                if ((c->t[i] & L2_SMALL_BASE_MASK) == want)
                    coarse_clear_entry(c, i);
            }
        }
    }
}

/* The kernel-only pages in the shared megabytes whose entry is gone leave the list. */
static void prune_mixed(struct shadow *s)
{
    for (unsigned i = 0; i < s->nr_mixed;)
        if (*s->mixed[i].pte == 0)
            s->mixed[i] = s->mixed[--s->nr_mixed];
        else
            i++;
}

static void flush(struct vm *vm, const struct gptw_mmu *keep)
{
    struct shadow *s = &vm->shadow;
    struct guest_reader g;   /* (not zeroed whole: todo[] is filled before it is read) */
    g.vm = vm;
    g.l1_base = keep ? keep->ttbr0 & GPTW_TTBR_BASE_MASK : 0;
    g.l1_mapped = 0;
    g.page = 0;
    g.at = 0;
    g.nr = 0;
    g.unread = 0;
    g.window_kept = false;
    const struct coarse *window = window_coarse(vm);
    bool switching = keep && s->ttbr && keep->ttbr0 && keep->ttbr0 != s->ttbr;
    struct shadow_context *out = switching ? context_new(s, s->ttbr, keep->ttbr0) : 0;

    /* What the guest wrote to its tables and has not cleaned yet goes to memory before the
     * flush reads them there: a table it finds unchanged is watched, and a write-back later
     * would change it without a fault (VIVT caches; QEMU has none). */
    if (keep) {
        cp15_dcache_clean_inv_all();
    } else {   /* everything goes, the contexts too (their real domains are reset) */
        watch_end_all(vm);
        for (unsigned x = 0; x < SHADOW_CONTEXTS; x++)
            context_drop(s, &s->ctx[x]);
    }
    s->pool_used = s->parked;
    clear_slots(vm, keep, &g, out);
    /* The window slot stays: the VMM runs on this table right now. */
    if (g.window_kept || coarse_still(&g, keep, SLOT_WINDOW, s->l1_from[SLOT_WINDOW])) {
        coarse_revalidate(&g, window->id, s->l1_from[SLOT_WINDOW]);
    } else {
        if (s->l1_from[SLOT_WINDOW])
            l1_touch(s, SLOT_WINDOW);
        coarse_clear(window);
        s->l1_from[SLOT_WINDOW] = 0;
    }
    bool low_parked = s->vectors_low && low_flush(vm, keep, &g, out);
    struct shadow_context *in = switching ? context_find(s, keep->ttbr0) : 0;
    if (in)
        context_resume(vm, keep, &g, in);
    /* Megabyte 0 gets a table of its own, unless the address space that runs now brought its
     * own back (taken only now: the table taken would be emptied for nothing). */
    if (low_parked && s->low_idx == (unsigned)out->low)
        low_take(vm);
    for (unsigned i = 0; i < g.nr; i++)
        coarse_check_entries(&g, id_coarse(vm, g.todo[i].id), g.todo[i].from);
    vm->stats.tables_unread += g.unread;
    s->switches += switching;
    s->ttbr = keep ? keep->ttbr0 : 0;
    prune_mixed(s);
    if (!keep)   /* the kept sections' real domains stay allocated */
        reset_domains(s);
    install_fixed(s);
    s->real_dacr = real_dacr(s, s->guest_dacr, s->vpriv);
    mmu_flush_all(s->real_dacr);
    s->flushed = true;
    s->flushes++;
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

void shadow_flush_mva(struct vm *vm, uint32_t mva)
{
    struct shadow *s = &vm->shadow;
    s->flushes++;
    unsigned slot = L1_INDEX(mva), i = L2C_INDEX(mva);
    const struct coarse *c = slot_coarse(vm, slot);

    /* A section, a split or a trampoline megabyte's own table (a coarse entry with no pool
     * table, outside the megabytes shared with the VMM): one guest section made it, which the
     * guest may have changed for the whole megabyte. */
    bool own_table = (s->l1[slot] & 3) == L1_TYPE_COARSE && !s->slot_table[slot] &&
                     !slot_is_mixed(s, slot);
    if ((s->l1[slot] & 3) == L1_TYPE_SECTION || own_table) {
        drop_split(vm, slot);
        l1_touch(s, slot);
        s->l1[slot] = 0;
        s->l1_from[slot] = 0;
        mmu_flush_all(s->real_dacr);
    } else if (c && !va_is_vmm(s, mva) && c->t[i]) {
        mmu_unmap_va(mva);
        coarse_clear_entry(c, i);
    }
    if (c)   /* (the guest may have changed its L1 descriptor for this page alone) */
        watch_renew(vm, c->id);
    prune_mixed(s);
}

void shadow_set_guest_vectors(struct vm *vm, bool guest_high)
{
    struct shadow *s = &vm->shadow;
    if (s->vectors_low == guest_high)
        return;
    /* The VMM's vectors page moves: its entry (and megabyte 0's table, when that was the
     * VMM's) goes first; the flush then starts the guest's mappings over. */
    set_vmm_vectors(s, 0, 0);
    s->vectors_low = guest_high;
    shadow_flush(vm);
    mmu_set_high_vectors(!guest_high);
}

void shadow_swi_memo_update(struct vm *vm)
{
    if (vm->shadow.swi.key != vm->shadow.guest_dacr)
        swi_memo_fill(&vm->shadow, vm->shadow.guest_dacr);
}

void shadow_set_entry_dacr(struct vm *vm, uint32_t dacr)
{
    vm->shadow.entry_dacr = dacr;
    swi_memo_fill(&vm->shadow, vm->shadow.swi.key);
}

void shadow_set_dacr(struct vm *vm, uint32_t guest_dacr, bool vpriv)
{
    struct shadow *s = &vm->shadow;
    if (vpriv != s->vpriv) {
        *s->window_slot = s->window_desc[vpriv];
        for (unsigned i = 0; i < s->nr_mixed; i++)
            *s->mixed[i].pte = vpriv ? s->mixed[i].priv_desc : s->mixed[i].user_desc;
        cp15_write_tlb_invalidate_all(0);
    }
    s->vpriv = vpriv;
    s->guest_dacr = guest_dacr;
    s->real_dacr = real_dacr(s, guest_dacr, vpriv);
    cp15_write_dacr(s->real_dacr);
}

uint32_t shadow_walk_gen(const struct vm *vm, uint32_t va, uint32_t l1_desc)
{
    const struct shadow *s = &vm->shadow;
    unsigned slot = L1_INDEX(va), idx = s->slot_table[slot];
    if (!idx || s->l1_from[slot] != l1_desc || !watch_clean(s, idx - 1, l1_desc))
        return 0;
    return s->clean_gen[idx - 1];
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

/* A coarse entry's AP for a page that is watched or not (shadow_watch.h): never writable. */
static unsigned ap_watch(unsigned ap, bool watched)
{
    return watched && ap == AP_USER_RW ? AP_USER_RO : ap;
}

/* A pool table free for coarse_for(): when the pool is exhausted, the waiting address spaces'
 * go first, then everything (pages fault back in).  True if everything went: the real domains
 * were reset too, so the caller takes its domain only now. */
static bool pool_make_room(struct vm *vm)
{
    struct shadow *s = &vm->shadow;
    if (s->pool_used == SHADOW_POOL_ALL) {
        s->pool_used &= ~s->parked;
        for (unsigned x = 0; x < SHADOW_CONTEXTS; x++)
            context_drop(s, &s->ctx[x]);
    }
    if (s->pool_used != SHADOW_POOL_ALL)
        return false;
    shadow_flush(vm);
    return true;
}

/* A coarse table for slot (when it has none, pool_make_room() first), in domain `domain`; a
 * table of another domain is emptied first (the domain lives in the L1 descriptor, shared by
 * the whole megabyte). */
static uint32_t *coarse_for(struct vm *vm, unsigned slot, unsigned domain)
{
    struct shadow *s = &vm->shadow;
    unsigned idx = s->slot_table[slot];

    if (!idx) {
        while (s->pool_used & ((shadow_pool_set)1 << idx))
            idx++;
        s->pool_used |= (shadow_pool_set)1 << idx;
        drop_split(vm, slot);
        set_slot_table(s, slot, ++idx);
        s->l1_from[slot] = 0;
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
        shadow_set_l1(s, slot, want);
    }
    return t;
}

/* A real 4 KB page has one AP: a guest page whose 1 KB parts differ (subpage APs of a small
 * page, tiny pages) cannot be shadowed and is emulated instead.  Large pages are shadowed 4 KB
 * at a time, each inside one 16 KB subpage. */
static bool one_ap_per_4k(const struct gptw_result *r)
{
    return r->perm_size >= PAGE_SIZE;   /* the part the walk's AP field covers */
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
}

/* Whether a coarse entry about to map r's page must be read-only: it is watched
 * (shadow_watch.h).  One whose AP may mean nothing ends the watch instead (any_ap_writes): a
 * Manager domain's, the MMU off, and every pool table's -- its real domain turns Manager with
 * the guest's (vdomain.c), without a flush; only megabyte 0's and the window's tables, in the
 * VMM's domain, always Client, keep a read-only entry.  A writable one is noted. */
static bool coarse_mapping(struct vm *vm, const struct gptw_result *r, bool any_ap_writes)
{
    if (r->pa >= vm->ram_size)
        return false;
    if (watch_is(vm, r->pa)) {
        if (!any_ap_writes)
            return true;
        watch_note_write(vm, r->pa, 1);
    }
    watch_note_mapped(vm, r->pa);
    return false;
}

/* The real domain of a shadow entry for r in page class cls (the MMU off: the VMM's); when every
 * real domain is taken, the shadow starts over. */
static uint8_t map_domain(struct vm *vm, const struct gptw_result *r, enum page_class cls,
                          bool flat)
{
    struct shadow *s = &vm->shadow;
    uint8_t dom = flat ? DOMAIN_VMM : shadow_domain_get(s, r->domain, cls);
    if (dom == VDOMAIN_NONE) {
        shadow_flush(vm);
        dom = shadow_domain_get(s, r->domain, cls);
    }
    return dom;
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
    /* What a page's shadow entry is made from, when a flush may keep it: a coarse table's
     * entry (seen without the FCSE) and the L1 descriptor that names the table. */
    bool keepable = (r->map == GPTW_MAP_SMALL || r->map == GPTW_MAP_LARGE) && !mmu->fcse_pid &&
                    (r->l1_desc & 3) == L1_TYPE_COARSE;
    uint32_t l1_src = keepable ? r->l1_desc : 0, l2_src = keepable ? r->l2_desc : 0;

    if (shared)
        hpa = shared_page.pa;

    if ((!ram && !pt) || va_is_vmm(s, va) || !one_ap_per_4k(r))
        return false;   /* emulated: device, the VMM's page, 1 KB subpages */
    if (ram && access == GPTW_WRITE)   /* a watched page's watch ends (shadow_watch.h) */
        watch_note_write(vm, r->pa, 1);

    bool per_mode = false;   /* an entry that changes with the virtual mode (mixed[]) */
    if (slot_is_mixed(s, slot)) {
        const struct coarse *c = slot_coarse(vm, slot);
        uint32_t *pte = &c->t[L2C_INDEX(va)];
        bool ro = coarse_mapping(vm, r, manager || flat);
        uint32_t user_desc = l2_small(hpa, manager ? AP_USER_RW : ap_watch(ap_of(user), ro),
                                      cached);
        uint32_t priv_desc = l2_small(hpa, manager ? AP_USER_RW : ap_watch(ap_of(priv), ro),
                                      cached);
        /* Per-mode entries: kernel-only pages, and in the top megabyte pages the kernel may
         * write and User mode only read (Linux: its vectors page, where it keeps the TLS
         * value).  The window's are in both of its tables, each with its mode's descriptor (a
         * mode change swaps the tables); megabyte 0's are rewritten at every mode change
         * (mixed[]).  Megabyte 0's User pages keep User permissions, the kernel's writes there
         * emulated, as in any other megabyte. */
        per_mode = priv_desc != user_desc && (cls == PAGE_PRIV_ONLY || slot == SLOT_WINDOW);
        if (slot == SLOT_WINDOW) {
            uint32_t from_was = s->l1_from[slot];
            coarse_set(c, L2C_INDEX(va), priv_desc, l2_src, l1_src, &s->l1_from[slot]);
            if (s->l1_from[slot] != from_was)   /* (an L1 memo may vouch for it) */
                l1_touch(s, slot);
            c->twin[L2C_INDEX(va)] = user_desc;
        } else {
            if (per_mode) {
                /* One entry per page: a page mapped again (after a fault on it) replaces its
                 * own. */
                unsigned i = 0;
                while (i < s->nr_mixed && s->mixed[i].pte != pte)
                    i++;
                if (i == SHADOW_MIXED_MAX)
                    return false;
                s->mixed[i] = (struct shadow_mixed){ pte, priv_desc, user_desc };
                if (i == s->nr_mixed)
                    s->nr_mixed++;
            }
            coarse_set(c, L2C_INDEX(va), s->vpriv && per_mode ? priv_desc : user_desc, l2_src,
                       l1_src, &s->l1_from[slot]);
        }
    } else {
        uint8_t dom = map_domain(vm, r, cls, flat);
        bool section = (flat || r->map == GPTW_MAP_SECTION) && !s->slot_table[slot] &&
                       (ram ? (r->pa | (SECTION_SIZE - 1)) < vm->ram_size : false) &&
                       !vcpu_shared_in_megabyte(vm, r->pa);
        if (section) {
            if (!watch_map_section(vm, slot, r->pa & L1_SECT_BASE_MASK, r->domain, cls,
                                   flat ? AP_USER_RW : ap,
                                   !flat && (r->dom_type == GPTW_DOM_CLIENT || manager)))
                shadow_set_l1(s, slot,
                              l1_section(hpa & L1_SECT_BASE_MASK, dom, flat ? AP_USER_RW : ap, 1));
            /* a guest section seen without the FCSE: keepable across TLB flushes */
            s->l1_from[slot] = flat || mmu->fcse_pid ? 0 : r->l1_desc;
        } else if ((flat || r->map == GPTW_MAP_SECTION) && ram && region_table(vm, r->pa) &&
                   !s->slot_table[slot]) {
            uint32_t *t = region_table(vm, r->pa);
            map_region_megabyte(vm, t, r, flat ? AP_USER_RW : ap);
            if ((s->l1[slot] & 3) == L1_TYPE_SECTION)
                mmu_flush_all(s->real_dacr);
            drop_split(vm, slot);
            shadow_set_l1(s, slot, l1_coarse(vmm_pa(t).pa, dom));
            s->l1_from[slot] = flat || mmu->fcse_pid ? 0 : r->l1_desc;
        } else {
            if (!s->slot_table[slot] && pool_make_room(vm))
                dom = map_domain(vm, r, cls, flat);
            uint32_t *t = coarse_for(vm, slot, dom);
            unsigned idx = s->slot_table[slot] - 1u;
            const struct coarse *c = pool_coarse(vm, idx);
            coarse_mapping(vm, r, true);   /* (its domain may turn Manager: see there) */
            coarse_set(c, L2C_INDEX(va), l2_small(hpa, flat ? AP_USER_RW : ap, cached), l2_src,
                       l1_src, &s->l1_from[slot]);
            if ((flat || r->map == GPTW_MAP_SECTION) && ram && vcpu_shared_in_region(vm, r->pa)) {
                map_region_megabyte(vm, t, r, flat ? AP_USER_RW : ap);
                set_all(c->set);   /* filled by range: nothing there to keep */
                s->l1_from[slot] = 0;
            }
        }
        s->real_dacr = real_dacr(s, s->guest_dacr, s->vpriv);
        cp15_write_dacr(s->real_dacr);
    }
    if (!slot_is_mixed(s, slot))   /* (its source may have changed: coarse_set, sections) */
        l1_touch(s, slot);
    mmu_flush_va(va);
    /* What the real CPU (always User mode) may now do there. */
    if (manager || flat)
        return true;
    if (cls == PAGE_PRIV_ONLY || per_mode)
        return s->vpriv && !user_access ? real_allows(priv, access) : real_allows(user, access);
    return real_allows(user, access);
}
