/* The ARMv5 (ARM926EJ-S) MMU as a guest sees it: a pure model of the translation a guest's own
 * page tables and CP15 state define, and of the fault the guest must observe.  No VMM state, no
 * side effects; guest-physical memory is read through a callback.  Compiled into the VMM
 * (freestanding) and into the host tests.
 *
 * The oracle is the hardware model: where the ARM ARM leaves a choice (UNPREDICTABLE encodings,
 * the FSR domain field of some faults, the FAR with FCSE), this follows QEMU's arm926 -- the
 * native reference every guest output is compared with.  docs/MEMORY.md lists each such place. */
#ifndef ARMVMM_GUEST_PTW_H
#define ARMVMM_GUEST_PTW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SCTLR (CP15 c1) bits the walk depends on. */
#define GPTW_SCTLR_M (1u << 0)    /* MMU enable */
#define GPTW_TTBR_BASE_MASK 0xffffc000u   /* TTBR0 [31:14]: the first-level table */
#define GPTW_L1_COARSE_BASE_MASK 0xfffffc00u   /* a coarse L1 descriptor's table */
#define GPTW_SCTLR_A (1u << 1)    /* alignment fault checking */
#define GPTW_SCTLR_S (1u << 8)    /* system protection (AP = 0) */
#define GPTW_SCTLR_R (1u << 9)    /* ROM protection (AP = 0) */
#define GPTW_SCTLR_V (1u << 13)   /* high vectors */

/* FSR status codes, bits [3:0] of the DFSR/IFSR (ARM926EJ-S TRM, as QEMU reports them). */
#define GPTW_FS_ALIGNMENT      0x1u   /* QEMU never reports the alternative 0x3 */
#define GPTW_FS_TRANS_SECTION  0x5u
#define GPTW_FS_TRANS_PAGE     0x7u
#define GPTW_FS_DOMAIN_SECTION 0x9u
#define GPTW_FS_DOMAIN_PAGE    0xbu
#define GPTW_FS_EXT_WALK_L1    0xcu   /* external abort on translation, first level */
#define GPTW_FS_EXT_WALK_L2    0xeu   /* external abort on translation, second level */
#define GPTW_FS_PERM_SECTION   0xdu
#define GPTW_FS_PERM_PAGE      0xfu

/* The whole FSR value QEMU writes: status in [3:0], domain in [7:4], nothing else (ARMv5 has no
 * WnR bit).  The same layout goes to the IFSR for prefetch aborts, domain included. */
#define GPTW_FSR(status, domain) ((uint32_t)(status) | ((uint32_t)(domain) << 4))
#define GPTW_FSR_STATUS(fsr)     ((fsr) & 0xfu)
#define GPTW_FSR_DOMAIN(fsr)     (((fsr) >> 4) & 0xfu)

/* DACR domain access types. */
enum gptw_dom_type {
    GPTW_DOM_NOACCESS = 0,
    GPTW_DOM_CLIENT = 1,
    GPTW_DOM_RESERVED = 2,   /* behaves as NoAccess (domain fault), as on QEMU */
    GPTW_DOM_MANAGER = 3,
};

/* The virtual CP15 state a translation depends on, as the guest wrote it. */
struct gptw_mmu {
    uint32_t sctlr;      /* c1: M, A, S, R (V only for gptw_vector_base) */
    uint32_t ttbr0;      /* c2: bits [31:14] locate the first-level table */
    uint32_t dacr;       /* c3: two bits per domain */
    uint32_t fcse_pid;   /* c13 opcode2 0, the register value (PID in [31:25]) */
};

enum gptw_access { GPTW_READ = 0, GPTW_WRITE = 1, GPTW_FETCH = 2 };

/* What a class of accesses may do.  Bit 0 read, bit 1 write; on ARMv5 an instruction fetch is
 * allowed exactly when a read is (there is no execute-never). */
enum gptw_perm { GPTW_PERM_NONE = 0, GPTW_PERM_RO = 1, GPTW_PERM_RW = 3 };

/* How the address was mapped. */
enum gptw_map {
    GPTW_MAP_FLAT = 0,   /* MMU off: MVA = PA, no checks */
    GPTW_MAP_SECTION,    /* 1 MB */
    GPTW_MAP_LARGE,      /* 64 KB (coarse or fine table), four 16 KB subpages */
    GPTW_MAP_SMALL,      /* 4 KB (coarse or fine table), four 1 KB subpages */
    GPTW_MAP_TINY,       /* 1 KB (fine table only) */
};

/* One access to translate. */
struct gptw_req {
    uint32_t va;
    enum gptw_access access;
    bool user;           /* User-mode permissions: an access from User mode, or LDRT/STRT (and
                          * LDRBT/STRBT) from a privileged mode */
    uint8_t align;       /* required alignment in bytes when SCTLR.A = 1 (the access size; 4 for
                          * LDM/STM); 0 or 1: none */
    bool align_always;   /* check align even with SCTLR.A = 0 (QEMU does so for LDM/STM) */
};

/* Reads one aligned 32-bit word of guest-physical memory for the table walk.  Returns false when
 * nothing backs the address: the walk then takes an external abort on translation, as QEMU's
 * integratorcp does (docs/MEMORY.md; ordinary data accesses to such addresses read zero). */
typedef bool (*gptw_read_fn)(void *ctx, uint32_t gpa, uint32_t *value);

struct gptw_result {
    bool fault;          /* the access aborts; fsr/far/prefetch say how */
    uint32_t va;         /* the request's address */
    uint32_t mva;        /* after the FCSE */

    /* The abort, when fault is set.  A data abort writes fsr to the DFSR and far to the FAR; a
     * prefetch abort (prefetch set: every faulting fetch) writes fsr to the IFSR and leaves the
     * FAR alone.  far is the VA, not the MVA (QEMU). */
    uint32_t fsr;
    uint32_t far;
    bool prefetch;

    /* The translation.  Valid when !fault, and also for a permission fault (everything but
     * the abort is known then); for other faults only the fields the walk reached. */
    enum gptw_map map;
    uint32_t pa;         /* guest-physical address of the access */
    uint32_t page_mva;   /* the mapping unit: MVA and PA of its base, its size */
    uint32_t page_pa;
    uint32_t page_size;
    uint32_t perm_mva;   /* the part of the unit sharing one AP field: the subpage (16 KB of a */
    uint32_t perm_size;  /* large page, 1 KB of a small page), or the whole unit (a section, a
                            page whose four subpages have the same AP, a tiny page) */
    uint8_t domain;      /* guest domain (0 with the MMU off) */
    uint8_t dom_type;    /* its DACR field at the time of the walk (enum gptw_dom_type) */
    uint8_t ap;          /* the AP field that applied (the subpage's) */
    uint8_t priv;        /* enum gptw_perm for privileged accesses, with this DACR and SCTLR */
    uint8_t user;        /* enum gptw_perm for User accesses (User mode, LDRT/STRT) */
    bool cacheable;      /* C bit */
    bool bufferable;     /* B bit */

    /* The guest table words the translation came from (for shadow consistency). */
    uint32_t l1_addr, l1_desc;
    uint32_t l2_addr, l2_desc;   /* 0/0 for sections and with the MMU off */
};

/* Translates one access.  Returns true when the access may proceed (res->fault clear), false
 * when it aborts.  Order of checks (QEMU): alignment, FCSE, MMU off, first-level descriptor,
 * domain, second-level descriptor, permissions. */
bool gptw_walk(const struct gptw_mmu *mmu, const struct gptw_req *req, gptw_read_fn read,
               void *ctx, struct gptw_result *res);

/* The FCSE: addresses below 32 MB (FCSE_LIMIT) are relocated by the PID, with the MMU on or off.
 * QEMU adds the whole register value (guests write PID << 25 with bits [24:0] zero). */
#define FCSE_LIMIT 0x02000000u
uint32_t gptw_mva(const struct gptw_mmu *mmu, uint32_t va);

/* AP decode for a Client domain (ARM ARM B4.4.1 table, SCTLR S and R for AP = 0; S = R = 1 gives
 * no access, as on QEMU). */
enum gptw_perm gptw_ap_perm(unsigned ap, uint32_t sctlr, bool user);

/* Permissions including the domain: NoAccess/Reserved -> none, Manager -> RW, Client -> AP. */
enum gptw_perm gptw_dom_perm(enum gptw_dom_type type, unsigned ap, uint32_t sctlr, bool user);

/* The permission class a shadow entry needs: what a privileged and what a User access may do.
 * Recomputed from a translation's domain and AP with the current DACR and SCTLR, so a guest DACR
 * or SCTLR.S/R write never needs a new walk.  With the MMU off both are RW. */
struct gptw_perms {
    uint8_t priv;   /* enum gptw_perm */
    uint8_t user;   /* enum gptw_perm */
};
struct gptw_perms gptw_result_perms(const struct gptw_mmu *mmu, const struct gptw_result *res);

static inline bool gptw_perm_allows(unsigned perm, enum gptw_access access)
{
    return access == GPTW_WRITE ? (perm & GPTW_PERM_RW) == GPTW_PERM_RW : (perm & 1u) != 0;
}

/* The guest's exception vector base (SCTLR.V); vector fetches are privileged fetches through
 * the FCSE and the guest's tables like any other. */
static inline uint32_t gptw_vector_base(uint32_t sctlr)
{
    return (sctlr & GPTW_SCTLR_V) ? 0xffff0000u : 0u;
}

#endif
