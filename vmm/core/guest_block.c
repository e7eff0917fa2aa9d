#include "guest_block.h"

#include "block_copy.h"
#include "cp15.h"
#include "guest_mem.h"
#include "mmu.h"
#include "shadow_watch.h"
#include "vm.h"

#define BLOCK_PAGES (CACHE_BATCH_MAX_BLOCK / PAGE_SIZE + 1)
#define PAGE_OFFSET_MASK (PAGE_SIZE - 1)

/* A guest-virtual range, translated page by page before a byte moves. */
struct span {
    uint32_t va, bytes;
    uint32_t gpa[BLOCK_PAGES];   /* of each page the range touches */
};

/* A walk answers for the part of its mapping that shares one AP field (perm_mva, perm_size: a
 * small page's 1 KB subpage, a large page's 16 KB one, a section); each 4 KB page of the range
 * is walked subpage by subpage and must map physically contiguous RAM (no tiny pages). */
static bool span_translate(struct vcpu *v, const struct gptw_mmu *mmu, uint32_t va,
                           uint32_t bytes, bool write, struct span *s)
{
    struct guest_access_req a = { write ? GPTW_WRITE : GPTW_READ, !vcpu_privileged(v), 4, true };
    *s = (struct span){ .va = va, .bytes = bytes };
    if (!bytes)
        return true;
    if ((va & 3) || va + bytes <= va)
        return false;
    for (uint32_t at = va, i = 0; at != va + bytes; i++) {
        uint32_t end = (at | PAGE_OFFSET_MASK) + 1, base = 0;   /* this page's, or the range's */
        if (end == 0 || end - va > bytes)
            end = va + bytes;
        for (uint32_t p = at; p != end;) {
            struct gptw_result r;
            if (!guest_translate(v->vm, mmu, p, &a, &r) || r.page_size < PAGE_SIZE ||
                r.pa >= v->vm->ram_size || (p != at && r.pa != base + (p & PAGE_OFFSET_MASK)))
                return false;
            base = r.pa - (p & PAGE_OFFSET_MASK);
            uint32_t checked = r.perm_mva + r.perm_size - gptw_mva(mmu, p);
            p = end - p <= checked ? end : p + checked;
        }
        s->gpa[i] = base;
        at = end;
    }
    return true;
}

static unsigned span_pages(const struct span *s)
{
    return s->bytes ? ((s->va + s->bytes - 1) >> 12) - (s->va >> 12) + 1 : 0;
}

static bool spans_share_a_page(const struct span *a, const struct span *b)
{
    unsigned na = span_pages(a), nb = span_pages(b);
    for (unsigned i = 0; i < na; i++)
        for (unsigned j = 0; j < nb; j++)
            if (a->gpa[i] == b->gpa[j])
                return true;
    return false;
}

/* The VMM writes the span: the watches of its pages end (shadow_watch.h). */
static void span_note_write(struct vm *vm, const struct span *s)
{
    for (unsigned i = 0; i < span_pages(s); i++)
        watch_note_write(vm, s->gpa[i], PAGE_SIZE);
}

/* The VMM's view of the span's byte off, in slot, and how many bytes on are in that page. */
static uint32_t *span_map(const struct vm *vm, const struct span *s, uint32_t off, unsigned slot,
                          uint32_t *in_page)
{
    uint32_t va = s->va + off, page = (va >> 12) - (s->va >> 12);
    *in_page = PAGE_SIZE - (va & PAGE_OFFSET_MASK);
    return tmpmap_map(slot, hpa(vm->ram_hpa.pa + s->gpa[page] + (va & PAGE_OFFSET_MASK)));
}

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* dst[doff, doff + len) := src[soff, soff + len) */
static void span_copy(const struct vm *vm, const struct span *dst, uint32_t doff,
                      const struct span *src, uint32_t soff, uint32_t len)
{
    while (len) {
        uint32_t dn, sn;
        uint32_t *d = span_map(vm, dst, doff, TMPMAP_SLOT_BLOCK_DST, &dn);
        const uint32_t *s = span_map(vm, src, soff, TMPMAP_SLOT_BLOCK_SRC, &sn);
        uint32_t n = min3(len, dn, sn);
        arch_copy_words(d, s, n);
        doff += n;
        soff += n;
        len -= n;
    }
}

static bool power_of_two(unsigned n)
{
    return (n & (n - 1)) == 0;
}

/* The word of a chunk of nwords words at byte doff of a span (nwords is 4 or 8 in Linux's
 * loops: no division then). */
static unsigned word_of_chunk(uint32_t doff, unsigned nwords)
{
    return power_of_two(nwords) ? (doff / 4) & (nwords - 1) : (doff / 4) % nwords;
}

/* dst[doff, doff + len) := words (nwords of them, the first at doff = 0), repeated */
static void span_fill(const struct vm *vm, const struct span *dst, uint32_t doff, uint32_t len,
                      const uint32_t *words, unsigned nwords)
{
    while (len) {
        uint32_t dn, pattern[8];
        uint32_t *d = span_map(vm, dst, doff, TMPMAP_SLOT_BLOCK_DST, &dn), n = len < dn ? len : dn;
        unsigned w = word_of_chunk(doff, nwords);
        if (nwords <= 8 && power_of_two(nwords)) {   /* (8 % nwords == 0) */
            for (unsigned i = 0; i < 8; i++, w = w + 1 == nwords ? 0 : w + 1)
                pattern[i] = words[w];
            arch_fill_words(d, pattern, n);
        } else {
            for (uint32_t i = 0; i < n / 4; i++, w = w + 1 == nwords ? 0 : w + 1)
                d[i] = words[w];
        }
        doff += n;
        len -= n;
    }
}

/* The last chunk a copy loaded: the registers' values at the loop's end (a page mapped once). */
static void span_read_last(const struct vm *vm, const struct span *src, uint32_t *words,
                           unsigned nwords)
{
    const uint32_t *p = NULL;
    for (uint32_t i = 0, off = src->bytes - 4 * nwords, in_page = 0; i < nwords;
         i++, off += 4, in_page -= 4) {
        if (!in_page)
            p = span_map(vm, src, off, TMPMAP_SLOT_BLOCK_SRC, &in_page);
        words[i] = *p++;
    }
}

bool guest_block_run(struct vcpu *v, struct cache_batch_block *b)
{
    struct vm *vm = v->vm;
    struct gptw_mmu mmu;
    struct span dst, src;
    uint32_t chunk = 4 * b->nwords, head = b->first_from_words ? chunk : 0;

    vcpu_gptw_mmu(v, &mmu);
    if (!span_translate(v, &mmu, b->dst, b->dst_bytes, true, &dst) ||
        !span_translate(v, &mmu, b->src, b->fill ? 0 : b->src_bytes, false, &src) ||
        spans_share_a_page(&dst, &src) || head > b->dst_bytes)
        return false;
    /* VIVT caches: what the guest wrote under its own addresses goes to memory first, and its
     * lines of dst go, as the loop's invalidates would have had them; the VMM's lines under
     * its temporary mappings go to memory before those mappings do. */
    span_note_write(vm, &dst);
    cp15_dcache_clean_inv_all();
    if (b->fill) {
        span_fill(vm, &dst, 0, b->dst_bytes, b->words, b->nwords);
    } else {
        span_fill(vm, &dst, 0, head, b->words, b->nwords);
        span_copy(vm, &dst, head, &src, 0, b->dst_bytes - head);
        if (b->src_bytes)
            span_read_last(vm, &src, b->words, b->nwords);
    }
    cp15_dcache_clean_inv_all();
    tmpmap_unmap(TMPMAP_SLOT_BLOCK_DST, NULL, 0);
    tmpmap_unmap(TMPMAP_SLOT_BLOCK_SRC, NULL, 0);
    return true;
}
