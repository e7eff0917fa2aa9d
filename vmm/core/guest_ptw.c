/* The ARMv5 (ARM926EJ-S) translation table walk and permission checks, as the guest sees them.
 * A pure function of the virtual CP15 state and guest-physical memory; see guest_ptw.h and
 * docs/MEMORY.md.  Every choice the ARM ARM leaves open follows QEMU's arm926 (target/arm, the
 * v5 short-descriptor walk), measured by the mmu_basic and mmu_sweep guests. */
#include "guest_ptw.h"

#define SECTION_SIZE 0x00100000u
#define LARGE_SIZE   0x00010000u
#define SMALL_SIZE   0x00001000u
#define TINY_SIZE    0x00000400u

uint32_t gptw_mva(const struct gptw_mmu *mmu, uint32_t va)
{
    return va < FCSE_LIMIT ? va + mmu->fcse_pid : va;
}

enum gptw_perm gptw_ap_perm(unsigned ap, uint32_t sctlr, bool user)
{
    switch (ap & 3u) {
    case 0:
        switch (sctlr & (GPTW_SCTLR_S | GPTW_SCTLR_R)) {
        case GPTW_SCTLR_S:
            return user ? GPTW_PERM_NONE : GPTW_PERM_RO;
        case GPTW_SCTLR_R:
            return GPTW_PERM_RO;
        default:   /* S = R = 0: no access; S = R = 1: reserved, no access on QEMU */
            return GPTW_PERM_NONE;
        }
    case 1:
        return user ? GPTW_PERM_NONE : GPTW_PERM_RW;
    case 2:
        return user ? GPTW_PERM_RO : GPTW_PERM_RW;
    default:
        return GPTW_PERM_RW;
    }
}

enum gptw_perm gptw_dom_perm(enum gptw_dom_type type, unsigned ap, uint32_t sctlr, bool user)
{
    switch (type) {
    case GPTW_DOM_CLIENT:
        return gptw_ap_perm(ap, sctlr, user);
    case GPTW_DOM_MANAGER:
        return GPTW_PERM_RW;
    default:
        return GPTW_PERM_NONE;
    }
}

struct gptw_perms gptw_result_perms(const struct gptw_mmu *mmu, const struct gptw_result *res)
{
    if (res->map == GPTW_MAP_FLAT)
        return (struct gptw_perms){ GPTW_PERM_RW, GPTW_PERM_RW };
    enum gptw_dom_type type = (enum gptw_dom_type)((mmu->dacr >> (2u * res->domain)) & 3u);
    return (struct gptw_perms){
        .priv = (uint8_t)gptw_dom_perm(type, res->ap, mmu->sctlr, false),
        .user = (uint8_t)gptw_dom_perm(type, res->ap, mmu->sctlr, true),
    };
}

/* A large or small page descriptor whose four subpages have the same AP: one permission for
 * the whole page (Linux's are all like that). */
static bool one_ap(uint32_t desc)
{
    uint32_t aps = (desc >> 4) & 0xffu;
    return aps == (aps & 3u) * 0x55u;
}

static bool abort_with(struct gptw_result *res, unsigned status, unsigned domain)
{
    res->fault = true;
    res->fsr = GPTW_FSR(status, domain);
    return false;
}

/* A walk's result before the walk: every field zero but these.  Field by field: a compound
 * literal of the whole would be a memset call at every walk.  A new field goes here too (the
 * size check below catches most, not one that fits in padding). */
static void result_start(struct gptw_result *r, uint32_t va, bool prefetch)
{
    r->fault = false;
    r->va = va;
    r->mva = 0;
    r->fsr = 0;
    r->far = va;   /* QEMU: the VA, before the FCSE */
    r->prefetch = prefetch;
    r->map = GPTW_MAP_FLAT;
    r->pa = r->page_mva = r->page_pa = r->page_size = r->perm_mva = r->perm_size = 0;
    r->domain = r->dom_type = r->ap = r->priv = r->user = 0;
    r->cacheable = r->bufferable = false;
    r->l1_addr = r->l1_desc = r->l2_addr = r->l2_desc = 0;
}
_Static_assert(sizeof(struct gptw_result) == (sizeof(enum gptw_map) == 4 ? 76 : 72),
               "struct gptw_result: result_start() sets every field");

bool gptw_walk(const struct gptw_mmu *mmu, const struct gptw_req *req, gptw_read_fn read,
               void *ctx, struct gptw_result *res)
{
    result_start(res, req->va, req->access == GPTW_FETCH);

    /* Alignment comes first, with the MMU on or off, and carries domain 0. */
    if (req->align > 1 && (req->align_always || (mmu->sctlr & GPTW_SCTLR_A)) &&
        (req->va & (req->align - 1u)) != 0)
        return abort_with(res, GPTW_FS_ALIGNMENT, 0);

    uint32_t mva = gptw_mva(mmu, req->va);
    res->mva = mva;

    if (!(mmu->sctlr & GPTW_SCTLR_M)) {
        res->map = GPTW_MAP_FLAT;
        res->pa = mva;
        res->page_mva = res->page_pa = res->perm_mva = mva & ~(SECTION_SIZE - 1u);
        res->page_size = res->perm_size = SECTION_SIZE;
        res->dom_type = GPTW_DOM_MANAGER;       /* no checks */
        res->priv = res->user = GPTW_PERM_RW;
        return true;
    }

    /* First level.  ARMv5 has only TTBR0 (no TTBCR). */
    uint32_t l1_addr = (mmu->ttbr0 & GPTW_TTBR_BASE_MASK) | ((mva >> 18) & 0x3ffcu), d1;
    res->l1_addr = l1_addr;
    if (!read(ctx, l1_addr, &d1))
        return abort_with(res, GPTW_FS_EXT_WALK_L1, 0);
    res->l1_desc = d1;

    /* QEMU takes the domain field from every first-level descriptor, a fault descriptor's
     * (ignored) bits [8:5] included, and reports it in the FSR. */
    unsigned type = d1 & 3u, domain = (d1 >> 5) & 0xfu;
    enum gptw_dom_type dom_type = (enum gptw_dom_type)((mmu->dacr >> (2u * domain)) & 3u);
    res->domain = (uint8_t)domain;
    res->dom_type = (uint8_t)dom_type;
    if (type == 0)
        return abort_with(res, GPTW_FS_TRANS_SECTION, domain);

    bool section = type == 2;
    /* QEMU checks the domain before it reads the second-level descriptor: a page table in a
     * NoAccess domain gives a page domain fault even where the second-level entry is invalid
     * (the ARM ARM orders the page translation fault first). */
    if (dom_type == GPTW_DOM_NOACCESS || dom_type == GPTW_DOM_RESERVED)
        return abort_with(res, section ? GPTW_FS_DOMAIN_SECTION : GPTW_FS_DOMAIN_PAGE, domain);

    uint32_t desc, page_size, perm_size;
    unsigned ap;
    if (section) {
        desc = d1;
        res->map = GPTW_MAP_SECTION;
        res->page_pa = d1 & 0xfff00000u;
        page_size = perm_size = SECTION_SIZE;
        ap = (d1 >> 10) & 3u;
    } else {
        /* Second level: a coarse table (type 1, 256 entries of 4 KB) or a fine table (type 3,
         * 1024 entries of 1 KB). */
        uint32_t l2_addr = type == 1 ? (d1 & GPTW_L1_COARSE_BASE_MASK) | ((mva >> 10) & 0x3fcu)
                                     : (d1 & 0xfffff000u) | ((mva >> 8) & 0xffcu);
        res->l2_addr = l2_addr;
        if (!read(ctx, l2_addr, &desc))
            return abort_with(res, GPTW_FS_EXT_WALK_L2, domain);
        res->l2_desc = desc;
        switch (desc & 3u) {
        case 0:
            return abort_with(res, GPTW_FS_TRANS_PAGE, domain);
        case 1:     /* large page: AP per 16 KB subpage, VA bits [15:14] */
            res->map = GPTW_MAP_LARGE;
            res->page_pa = desc & 0xffff0000u;
            page_size = LARGE_SIZE;
            perm_size = one_ap(desc) ? LARGE_SIZE : LARGE_SIZE / 4u;
            ap = (desc >> (4u + ((mva >> 13) & 6u))) & 3u;
            break;
        case 2:     /* small page: AP per 1 KB subpage, VA bits [11:10] */
            res->map = GPTW_MAP_SMALL;
            res->page_pa = desc & 0xfffff000u;
            page_size = SMALL_SIZE;
            perm_size = one_ap(desc) ? SMALL_SIZE : SMALL_SIZE / 4u;
            ap = (desc >> (4u + ((mva >> 9) & 6u))) & 3u;
            break;
        default:    /* tiny page; in a coarse table UNPREDICTABLE: QEMU faults */
            if (type == 1)
                return abort_with(res, GPTW_FS_TRANS_PAGE, domain);
            res->map = GPTW_MAP_TINY;
            res->page_pa = desc & 0xfffffc00u;
            page_size = perm_size = TINY_SIZE;
            ap = (desc >> 4) & 3u;
            break;
        }
    }

    res->page_size = page_size;
    res->perm_size = perm_size;
    res->page_mva = mva & ~(page_size - 1u);
    res->perm_mva = mva & ~(perm_size - 1u);
    res->pa = res->page_pa | (mva & (page_size - 1u));
    res->ap = (uint8_t)ap;
    res->cacheable = (desc & 8u) != 0;
    res->bufferable = (desc & 4u) != 0;
    res->priv = (uint8_t)gptw_dom_perm(dom_type, ap, mmu->sctlr, false);
    res->user = (uint8_t)gptw_dom_perm(dom_type, ap, mmu->sctlr, true);

    if (!gptw_perm_allows(req->user ? res->user : res->priv, req->access))
        return abort_with(res, section ? GPTW_FS_PERM_SECTION : GPTW_FS_PERM_PAGE, domain);
    return true;
}
