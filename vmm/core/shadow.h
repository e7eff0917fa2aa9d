/* Shadow page tables (paper §3.4, brief §3): the real MMU always runs on tables the VMM owns.
 * They are filled on demand, one guest mapping per real fault, from the guest's own tables as
 * guest_ptw.c walks them, and translate guest virtual addresses straight to host-physical ones
 * inside the VM's RAM.
 *
 * - A guest section over RAM becomes a real section; everything else is shadowed 4 KB at a time
 *   in coarse tables from the VM's share of a pool.
 * - Permissions: the page's class (vdomain.h) picks a real domain, the real AP is the User or the
 *   privileged permission of the guest AP (as in a Client domain); the guest's domain type is
 *   applied through the real DACR, recomputed on a guest DACR write or virtual mode change.
 * - Two megabytes are shared with the VMM: the window (0xfff00000-0xffffffff, always) and, while
 *   the guest uses high vectors, megabyte 0, where the VMM's real vectors then live.  Their
 *   coarse tables are in the VMM's domain 15 (always Client), so guest pages there get their
 *   effective permission in the AP itself: the window has two tables, one per virtual mode
 *   (privileged, User), swapped in the L1 table at each virtual mode change; megabyte 0's
 *   kernel-only entries are rewritten then.  The VMM's own pages there are never given to the guest: a guest access to them is
 *   emulated from the guest's tables (guest_fault.c).
 * - Device pages are never mapped, except a device passed through to this VM. */
#ifndef ARMVMM_SHADOW_H
#define ARMVMM_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_ptw.h"
#include "memlayout.h"
#include "pte.h"
#include "vdomain.h"

#define SHADOW_TABLES_PER_VM 32
#define SHADOW_REGION_TABLES 4   /* whole megabytes of trampolines with a table of their own */
#define SHADOW_MIXED_MAX     16
#define SHADOW_CONTEXTS      4   /* guest address spaces whose coarse tables wait for them */
#define SHADOW_PARKED_MAX    8   /* coarse tables (besides megabyte 0's) each keeps */
#define SHADOW_SET_WORDS     (L2C_ENTRIES / 32)
/* A set of pool tables of a VM, a bit each (one word: the flush's bookkeeping is cheaper). */
typedef uint32_t shadow_pool_set;
_Static_assert(SHADOW_TABLES_PER_VM <= 32, "shadow_pool_set holds every pool table");
#define SHADOW_POOL_ALL ((shadow_pool_set)((1ull << SHADOW_TABLES_PER_VM) - 1))
#define SHADOW_WATCH_MAX     16  /* guest pages watched at once (shadow_watch.h) */
#define SHADOW_SPLITS        8   /* guest sections split into pages to watch some of them */
/* Each coarse table has an id: the pool's, then megabyte 0's, then the window's. */
#define SHADOW_TABLE_IDS     (SHADOW_TABLES_PER_VM + SHADOW_CONTEXTS + 2)
/* Pages of guest L1 tables a flush found matching the shadow (struct shadow_l1_memo): watched
 * like coarse tables, under the ids after theirs. */
#define SHADOW_L1_MEMOS      4
#define SHADOW_L1_SEEN       4   /* flushes that must find one unchanged before it is watched */
#define SHADOW_L1_TABLES     8   /* coarse tables in a page of slots with a memo, at most */
#define SHADOW_WATCH_IDS     (SHADOW_TABLE_IDS + SHADOW_L1_MEMOS)
_Static_assert(SHADOW_WATCH_IDS <= 64, "struct shadow_watch's tables holds every id");

struct vm;

/* The real DACRs (virtual privileged, User) for one guest DACR with the domain map as it is,
 * and the guest DACR's fastpath_dacr_need(), for the shared page when the real one grants it.
 * Every memo is made again whenever the map changes (shadow_domain_get), so trap_fast.S
 * compares the key alone. */
struct shadow_dacr_memo {
    uint32_t guest, priv, user, need;
};

/* What trap_fast.S's SWI path takes for User-mode guest DACR key (entry_dacr taken or not,
 * then the memo): the real DACR, its need word and the guest DACR it runs the kernel with;
 * made again when entry_dacr or the domain map changes, and by C at a SWI with another key. */
struct shadow_swi_memo {
    uint32_t key, real, need, guest;   /* (trap_fast.S loads real, need, guest with one LDM) */
};

/* A kernel-only guest page in megabyte 0 while the VMM's vectors are there: its descriptor per
 * virtual mode. */
struct shadow_mixed {
    uint32_t *pte;
    uint32_t priv_desc, user_desc;
};

/* A coarse table of an address space that is not running: its slot, pool table, the guest L1
 * descriptor its entries were made from and its real L1 descriptor. */
struct shadow_parked {
    uint16_t slot;
    uint8_t idx;
    uint32_t from, desc;
};

/* The coarse tables of a guest address space (TTBR0) while another one runs: when it runs
 * again, they come back as far as its tables still say the same (shadow.c). */
struct shadow_context {
    uint32_t ttbr;                     /* 0: unused */
    uint32_t left_at;                  /* shadow.switches when it stopped running */
    unsigned nr;
    struct shadow_parked parked[SHADOW_PARKED_MAX];
    shadow_pool_set tables;            /* their pool tables */
    int low;                           /* its megabyte-0 table (vectors low), -1: none */
    uint32_t low_from;
};

/* A guest page no real mapping may write (shadow_watch.h): page | 1 (0: free), and the ids of
 * the coarse tables made from a guest table in it. */
struct shadow_watch {
    uint32_t page;
    uint64_t tables;
};

/* A page of a guest L1 table (1024 slots) that held, at every slot of that page the shadow
 * uses, the descriptor the slot was made from (l1_from), when the slots of the page last
 * changed (l1_epoch[] was epoch): while the page stays watched and the epoch the same, a flush
 * need not compare them again.  page | 1 (0: none), as a watch's `from`. */
struct shadow_l1_memo {
    uint32_t page, epoch;
    unsigned seen;                     /* flushes that found it so, up to SHADOW_L1_SEEN */
    unsigned nr_tables;                /* its slots with a pool table (a page with more has */
    uint16_t tables[SHADOW_L1_TABLES]; /* no memo): they are revalidated at each flush */
    bool window;                       /* the window's slot, in its page, matched too */
};

/* A guest section split into a table of small pages, so that its watched pages can be
 * read-only: its slot + 1 (0: free) and the guest-physical megabyte it maps. */
struct shadow_split {
    uint32_t slot1, mb;
};

struct shadow {
    uint32_t *l1;                      /* the real L1 table */
    uint32_t *window;                  /* this VM's coarse tables of the window megabyte (its
                                          privileged one, then its User one: mmu.h) */
    uint32_t *window_slot;             /* the window's entry in l1 */
    uint32_t window_desc[2];           /* what it holds in virtual User mode [0], privileged [1] */
    uint32_t *low;                     /* its coarse table of megabyte 0 (VMM vectors low): */
    unsigned low_idx;                  /* one of SHADOW_CONTEXTS + 1 (shadow_context.low) */
    uint32_t window_set[SHADOW_SET_WORDS + 1]; /* its guest entries set since the last flush
                                          (the set bitmap of shadow.c's coarse tables) */
    bool vectors_low;                  /* the real vectors are at 0 (the guest uses 0xffff0000) */
    bool vpriv;                        /* the virtual mode the tables are set up for */
    uint32_t guest_dacr;
    uint32_t real_dacr;
    uint32_t entry_dacr;               /* the DACR a kernel set first after its last system call
                                          (0: none): trap_fast.S's SWI path takes it early */
    struct shadow_dacr_memo memo[2];   /* a kernel with PAN alternates two guest DACRs */
    unsigned memo_next;
    struct shadow_swi_memo swi;
    struct vdomain_map dom;
    /* The last flush: done (flushed) while handling trap number fresh_trap, which resumed the
     * guest at fresh_pc (trap_prepare_resume).  A TLB flush that is the very next trap, at
     * that pc, finds the tables as that flush left them: no guest instruction ran between. */
    bool flushed;
    uint32_t fresh_trap, fresh_pc;
    /* (the fields a flush uses most, before the big arrays below: in reach of one LDR) */
    uint32_t sctlr, fcse_pid;          /* the guest MMU state the tables were built for */
    uint32_t ttbr;                     /* and its TTBR0 (0: not known) */
    uint32_t switches;                 /* address-space switches so far */
    uint32_t flushes;                  /* TLB maintenance so far (full or by MVA) */
    shadow_pool_set pool_used;         /* the tables of this VM's pool share in use */
    shadow_pool_set parked;            /* of them, those the contexts hold */
    uint32_t slot_used[L1_ENTRIES / 32]; /* bit per guest slot whose L1 entry may be set: a
                                          flush clears those, not all 4096 */
    uint32_t words_used[L1_ENTRIES / 32 / 32]; /* bit per slot_used word that may be non-0 */
    uint32_t slot_tables[L1_ENTRIES / 32]; /* bit per slot whose slot_table is set */
    /* (before the big arrays, 16-byte aligned: trap_fast.S's ADD reaches them by an immediate) */
    struct shadow_mixed mixed[SHADOW_MIXED_MAX] __attribute__((aligned(16)));
    unsigned nr_mixed;
    /* Write-watched guest tables (shadow_watch.h): per coarse table (and L1 memo, page | 1),
     * the guest L1 descriptor it was last checked under while a flush need not read its
     * entries again (0: it must), and the watch that keeps it so (1 + index). */
    uint32_t clean_from[SHADOW_WATCH_IDS];
    uint32_t clean_gen[SHADOW_WATCH_IDS];  /* which clean period it is in (watch_gens then) */
    uint32_t watch_gens;
    uint8_t watch_of[SHADOW_WATCH_IDS];
    struct shadow_context ctx[SHADOW_CONTEXTS];
    uint32_t l1_epoch[L1_ENTRIES / 1024];  /* per 1024 slots: changes of their entries, their
                                          sources or their pool tables so far */
    struct shadow_l1_memo l1_memo[SHADOW_L1_MEMOS];
    unsigned l1_memo_next;
    uint8_t slot_table[L1_ENTRIES];    /* 1 + index of the slot's pool table, 0: none */
    uint32_t l1_from[L1_ENTRIES];      /* the guest L1 descriptor a real section, a whole
                                          trampoline megabyte or a coarse table's entries were
                                          made from (0: none, or not one alone); a coarse
                                          table's entries also note their guest L2 descriptor */
    struct shadow_watch watch[SHADOW_WATCH_MAX];
    uint32_t watched_mb[VM_RAM_MAX_MB / 32 + 1];   /* megabytes of RAM with a watched page */
    struct shadow_split split[SHADOW_SPLITS];
};

void shadow_init(struct vm *vm);

/* Forgets every guest mapping (SCTLR.M/S/R/V and FCSE changes, real domains exhausted). */
void shadow_flush(struct vm *vm);
/* The guest flushed its whole TLB or switched tables (TTBR): every mapping goes but the real
 * sections whose guest L1 descriptor, in the tables mmu now names, is still the one they were
 * made from (a section's translation is that descriptor alone, so they are still exact: the
 * kernel's megabytes, the same in every process, survive a context switch).  A different
 * SCTLR or FCSE PID forgets everything. */
void shadow_flush_tlb(struct vm *vm, const struct gptw_mmu *mmu);
/* At the resume of a trap (trace number trap, pc): remembers where a flush of this trap left the
 * guest.  True if the guest's TLB flush at pc, trap number trap, needs nothing: the tables are
 * exactly as the flush of the trap before left them. */
void shadow_note_resume(struct vm *vm, uint32_t trap, uint32_t pc);
bool shadow_fresh(const struct vm *vm, uint32_t trap, uint32_t pc);

/* Forgets the mappings of one guest MVA (TLB flush by MVA). */
void shadow_flush_mva(struct vm *vm, uint32_t mva);

/* The guest's vector base (SCTLR.V) decides where the VMM's real vectors live. */
void shadow_set_guest_vectors(struct vm *vm, bool guest_high);

/* Guest DACR write or virtual privilege change: recompute the real DACR (no flush). */
void shadow_set_dacr(struct vm *vm, uint32_t guest_dacr, bool vpriv);

/* The DACR a kernel sets first after a system call, which the SWI path takes early. */
void shadow_set_entry_dacr(struct vm *vm, uint32_t dacr);
/* The SWI path's memo made for the current guest DACR (trap.c, at a SWI the path left to C). */
void shadow_swi_memo_update(struct vm *vm);
/* vdomain_get() on the shadow's map, keeping the DACR memos true to it. */
uint8_t shadow_domain_get(struct shadow *s, unsigned gdom, enum page_class c);

/* Installs the real mapping for a successful guest walk.  Returns true when the real MMU now
 * performs `access` itself (retry the instruction); false when the VMM must emulate it (a page
 * of the VMM's, a privileged write to a page User mode may only read, a device). */
bool shadow_map(struct vm *vm, const struct gptw_mmu *mmu, const struct gptw_result *r,
                enum gptw_access access, bool user_access);

/* Sets a guest slot's L1 entry (never the window's). */
void shadow_set_l1(struct shadow *s, unsigned slot, uint32_t desc);

/* Every coarse entry that maps guest page gpa goes (shadow_watch.c, inside a flush). */
void shadow_forget_page(struct vm *vm, uint32_t gpa);

/* A guest walk of va through L1 descriptor l1_desc (a coarse one) and a descriptor of the table
 * it names: nonzero while the shadow knows both unchanged -- the guest's L1 table had l1_desc
 * at va's slot at the last TLB maintenance or since, and that guest table's page is watched
 * (shadow_watch.h) -- the same value as long as no write may have changed them; 0: unknown. */
uint32_t shadow_walk_gen(const struct vm *vm, uint32_t va, uint32_t l1_desc);

/* True if gpa is a device page passed through to this VM. */
bool shadow_is_passthrough(const struct vm *vm, uint32_t gpa);

#endif
