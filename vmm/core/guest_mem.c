#include "guest_mem.h"

#include "guarded_access.h"
#include "guest_access.h"
#include "memlayout.h"
#include "mmu.h"
#include "pte.h"
#include "shadow_watch.h"
#include "vm.h"

/* One access inside one host page, through a temporary mapping. */
static void phys_access(struct vm *vm, uint32_t gpa, unsigned size, uint32_t *val, bool write)
{
    uint8_t *p = tmpmap_map(TMPMAP_SLOT_GUEST, hpa(vm->ram_hpa.pa + gpa));
    for (unsigned i = 0; i < size; i++) {
        if (write)
            p[i] = (uint8_t)(*val >> (8 * i));
        else
            *val |= (uint32_t)p[i] << (8 * i);
    }
    tmpmap_unmap(TMPMAP_SLOT_GUEST, p, size);
}

static bool phys_rw(struct vm *vm, uint32_t gpa, unsigned size, uint32_t *val, bool write)
{
    if (gpa >= vm->ram_size || size > vm->ram_size - gpa)
        return false;
    if (write)
        watch_note_write(vm, gpa, size);
    else
        *val = 0;
    unsigned first = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
    if (first >= size) {
        phys_access(vm, gpa, size, val, write);
        return true;
    }
    /* Straddles two pages: bytes one by one. */
    for (unsigned i = 0; i < size; i++) {
        uint32_t b = write ? (*val >> (8 * i)) & 0xff : 0;
        phys_access(vm, gpa + i, 1, &b, write);
        if (!write)
            *val |= b << (8 * i);
    }
    return true;
}

bool guest_phys_read(struct vm *vm, uint32_t gpa, unsigned size, uint32_t *val)
{
    return phys_rw(vm, gpa, size, val, false);
}

bool guest_phys_write(struct vm *vm, uint32_t gpa, unsigned size, uint32_t val)
{
    return phys_rw(vm, gpa, size, &val, true);
}

/* Guest page-table pages stay mapped, read-only, in TMPMAP_TABLE_SLOTS slots per VM (each VM
 * has its own window table): a walk reads the same L1 page and a few L2 pages over and over, a
 * switch between two address spaces the pages of both, and mapping a page costs a TLB flush.
 * Two ways per set of the page number, the one used less recently replaced: a lookup is two
 * compares.  They are uncached: a read sees what the guest wrote and cleaned to memory, as
 * the hardware walker does, with no cache line of the VMM's alias to drop first. */
#define TABLE_WAYS 2
#define TABLE_SETS (TMPMAP_TABLE_SLOTS / TABLE_WAYS)
_Static_assert(TABLE_SETS == GUEST_TABLE_SETS, "guest_mem.h: the table cache's sets");

/* (a power-of-two size: a VM's is found with a shift, at every lookup) */
static struct __attribute__((aligned(256))) table_cache {
    uint32_t page[TMPMAP_TABLE_SLOTS];   /* guest-physical page + 1 (0: empty), set by set */
    uint8_t mru[TABLE_SETS];             /* the way of each set used last */
} tables[MAX_VMS];

/* A page not mapped: it replaces the way of its set used less recently. */
__attribute__((noinline)) static unsigned table_map(struct vm *vm, uint32_t page)
{
    struct table_cache *c = &tables[vm->id];
    unsigned set = (page / PAGE_SIZE) % TABLE_SETS, i = set * TABLE_WAYS + (c->mru[set] ^ 1u);
    tmpmap_map_uncached(TMPMAP_SLOT_TABLES + i, hpa(vm->ram_hpa.pa + page));
    c->page[i] = page + 1;
    return i;
}

static volatile uint32_t *table_word(struct vm *vm, uint32_t gpa)
{
    struct table_cache *c = &tables[vm->id];
    uint32_t page = gpa & ~(PAGE_SIZE - 1);
    unsigned set = (page / PAGE_SIZE) % TABLE_SETS, i = set * TABLE_WAYS;

    if (c->page[i] != page + 1 && c->page[++i] != page + 1)
        i = table_map(vm, page);
    c->mru[set] = (uint8_t)(i % TABLE_WAYS);
    return (volatile uint32_t *)(uintptr_t)(VMM_TMPMAP_VA + (TMPMAP_SLOT_TABLES + i) * PAGE_SIZE +
                                            (gpa & (PAGE_SIZE - 1)));
}

const volatile uint32_t *guest_table_page(struct vm *vm, uint32_t gpa)
{
    return (gpa & (PAGE_SIZE - 1)) || gpa >= vm->ram_size ? 0 : table_word(vm, gpa);
}

bool guest_phys_read_word(void *ctx, uint32_t gpa, uint32_t *val)
{
    struct vm *vm = ctx;
    if ((gpa & 3) || gpa >= vm->ram_size)
        return false;
    *val = *table_word(vm, gpa);
    return true;
}

static bool walk(struct vm *vm, const struct gptw_mmu *mmu, uint32_t va,
                 const struct guest_access_req *a, struct gptw_result *res)
{
    struct gptw_req req = { .va = va, .access = a->access, .user = a->user, .align = a->size,
                            .align_always = a->align_always };
    return gptw_walk(mmu, &req, guest_phys_read_word, vm, res);
}

/* The trampolines (vcpu_shared.h) belong to the guest image: where the guest has not mapped
 * them (Linux, until its linear map reaches past its image), they borrow the mapping of the
 * image's last page, physically just below them. */
static bool translate_trampoline(struct vm *vm, const struct gptw_mmu *mmu, uint32_t va,
                                 const struct guest_access_req *a, struct gptw_result *res)
{
    const struct vcpu_shared *s = &vm->shared;
    unsigned status = GPTW_FSR_STATUS(res->fsr);
    struct gptw_result image;

    if (!s->size || va - s->va >= s->size ||
        (status != GPTW_FS_TRANS_SECTION && status != GPTW_FS_TRANS_PAGE) ||
        !walk(vm, mmu, s->va - PAGE_SIZE, a, &image) || image.pa + PAGE_SIZE != s->gpa)
        return false;
    image.va = va;
    image.mva = gptw_mva(mmu, va);
    image.pa = s->gpa + (va - s->va);
    *res = image;
    return true;
}

bool guest_translate(struct vm *vm, const struct gptw_mmu *mmu, uint32_t va,
                     const struct guest_access_req *a, struct gptw_result *res)
{
    return walk(vm, mmu, va, a, res) || translate_trampoline(vm, mmu, va, a, res);
}

/* The last guest page an emulated LDM^/STM^ used, translated and mapped: the words of one
 * instruction share a page (or two), so one walk and one mapping serve them all.  Forgotten at
 * the end of every trap (guest_mem_forget), before anything can change the guest's tables. */
static struct word_cache {
    struct vm *vm;
    uint32_t va_page;
    bool user, write;
    uint32_t *map;              /* the page through TMPMAP_SLOT_WORDS */
    uint32_t lo, hi;            /* byte range used, to clean out of the cache */
} words;

void guest_mem_forget(void)
{
    if (words.map) {
        tmpmap_unmap(TMPMAP_SLOT_WORDS, (uint8_t *)words.map + words.lo, words.hi - words.lo);
        words.map = NULL;
    }
}

/* The word at va through the mapping of its page, bytes from it used (to clean out later). */
static uint32_t *word_ptr(struct vcpu *v, uint32_t va, bool user, bool write, uint32_t bytes,
                          uint32_t *fsr)
{
    uint32_t page = va & ~(PAGE_SIZE - 1), off = va & (PAGE_SIZE - 1);
    struct gptw_mmu mmu;
    struct gptw_result r;

    if (!words.map || words.vm != v->vm || words.va_page != page || words.user != user ||
        (write && !words.write)) {
        guest_mem_forget();
        vcpu_gptw_mmu(v, &mmu);
        struct guest_access_req a = { write ? GPTW_WRITE : GPTW_READ, user, 4, true };
        *fsr = 0;
        if (!guest_translate(v->vm, &mmu, va, &a, &r)) {
            *fsr = r.fsr;
            return NULL;
        }
        if (r.pa >= v->vm->ram_size)
            return NULL;   /* no RAM there */
        if (write)
            watch_note_write(v->vm, r.pa & ~(PAGE_SIZE - 1), PAGE_SIZE);
        uint32_t *map = tmpmap_map(TMPMAP_SLOT_WORDS,
                                   hpa(v->vm->ram_hpa.pa + (r.pa & ~(PAGE_SIZE - 1))));
        words = (struct word_cache){ v->vm, page, user, write, map, off, off };
    }
    if (off < words.lo)
        words.lo = off;
    if (off + bytes > words.hi)
        words.hi = off + bytes;
    return words.map + off / 4;
}

/* The emulator's hooks (guest_access.h): one aligned word at a guest virtual address. */
static uint32_t va_word(struct vcpu *v, uint32_t va, bool user, uint32_t *value, bool write)
{
    uint32_t fsr = 0, *p = word_ptr(v, va, user, write, 4, &fsr);

    if (fsr)
        return fsr;
    if (!p) {
        if (!write)
            *value = 0;   /* nothing there: reads zero, as on the board */
        return 0;
    }
    if (write)
        *p = *value;
    else
        *value = *p;
    return 0;
}

uint32_t guest_read_word(struct vcpu *v, uint32_t va, bool user, uint32_t *value)
{
    return va_word(v, va, user, value, false);
}

uint32_t guest_write_word(struct vcpu *v, uint32_t va, bool user, uint32_t value)
{
    return va_word(v, va, user, &value, true);
}

uint32_t guest_read_words(struct vcpu *v, uint32_t va, unsigned count, bool user, uint32_t *out,
                          uint32_t *at)
{
    while (count) {
        unsigned n = (PAGE_SIZE - (va & (PAGE_SIZE - 1))) / 4;   /* one mapping per page */
        if (n > count)
            n = count;
        uint32_t fsr = 0, *p = word_ptr(v, va, user, false, 4 * n, &fsr);
        if (fsr) {
            *at = va;
            return fsr;
        }
        for (unsigned i = 0; i < n; i++)
            out[i] = p ? p[i] : 0;   /* (no RAM there: reads zero, as on the board) */
        out += n;
        va += 4 * n;
        count -= n;
    }
    return 0;
}

bool guest_fetch_insn(struct vcpu *v, uint32_t va, uint32_t *insn)
{
    struct gptw_mmu mmu;
    struct gptw_result r;

    if (arch_guest_read(va, insn) == 0)
        return true;
    vcpu_gptw_mmu(v, &mmu);
    struct guest_access_req a = { GPTW_FETCH, !vcpu_privileged(v), 4, false };
    return guest_translate(v->vm, &mmu, va, &a, &r) && guest_phys_read(v->vm, r.pa, 4, insn);
}
