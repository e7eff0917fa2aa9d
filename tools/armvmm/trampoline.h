/* The trampoline linker of `armvmm run`: makes the common CPSR proxies of a patched guest
 * trap-free (common/fastpath.h has the scheme, docs/PATCHER.md the code).
 *
 * fastpath_collect() lists a patched image's proxies; fastpath_generate() is pure: sites and a
 * region in, trampoline bytes and site rewrites out, so it is unit-tested on the host. */
#ifndef ARMVMM_TRAMPOLINE_H
#define ARMVMM_TRAMPOLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fastpath.h"

/* A proxy of the patched image. */
struct fastpath_site {
    uint32_t va;            /* where it executes */
    uint64_t file_offset;   /* where its word is in the ELF file */
    uint32_t word;          /* the proxy */
    uint32_t orr;           /* an MRS CPSR that starts a kernel's interrupt save (MRS Ra, CPSR;
                               ORR Rb, Ra, #mask bits; MSR CPSR_c, Rb): that ORR (0: not one) */
    uint16_t dead;          /* r0-r12 that the code after it writes before it reads them
                               (fastpath_dead_after): a trampoline's scratch need not be saved */
    uint8_t after;          /* words after it in its section, at most FASTPATH_DEAD_WINDOW */
};

/* Words after a site that fastpath_dead_after() is given at most. */
#define FASTPATH_DEAD_WINDOW 6u

struct fastpath_sites {
    struct fastpath_site *site;
    size_t n, cap;
    uint32_t skip_start, skip_end;   /* [start, end): code that runs at another address (Linux's
                                        identity-mapped text): never linked */
    bool reads;                      /* link the virtual-state accesses too (MRS/MSR SPSR, MRC
                                        p15 c1/c3): the code never runs in User mode (a kernel) */
};

/* A site's new word, by file offset. */
struct fastpath_rewrite {
    uint64_t file_offset;
    uint32_t word;
};

struct fastpath_link {
    uint32_t va, gpa, size;          /* the region */
    uint8_t *image;                  /* size bytes: trampolines; the shared pages stay zero */
    struct fastpath_rewrite *rw;     /* one per linked site, in site order */
    size_t nrw;
    unsigned long mrs, msr, reads;   /* sites linked: MRS CPSR, MSR CPSR, virtual state */
    unsigned long irqsaves;          /* of the MRS, those linked with the ORR and MSR after them */
    unsigned long left;              /* proxies that still trap (other forms, out of reach) */
};

/* The registers among r0-r12 that the n words of straight-line code at a site's return address
 * write before they read them, as far as it can tell: it stops at what it does not know and at
 * whatever may branch.  An MSR on the CPSR may enter FIQ mode, where r8-r12 are others: they
 * are never dead past one.  An access to memory or to CP15 may fault and the guest resume
 * elsewhere (a bare-metal guest's abort or undefined-instruction handler may skip it; Linux
 * jumps to the fixup of an __ex_table entry), where a register it has not written yet might be
 * read: unless faults_restart says the guest retries a faulting instruction or dies, the look
 * ends after the first one, and a load's destination does not count as written.  The caller
 * keeps the words to code that runs as it is in the file (not Linux's __jump_table entries,
 * rewritten at run time). */
uint16_t fastpath_dead_after(const uint32_t *words, unsigned n, bool faults_restart);

/* Lists the proxies of the patched ELF at path, with their dead registers (and Linux's
 * identity-mapped text, which must not be linked).  -1 with err on failure. */
int fastpath_collect(const char *path, struct fastpath_sites *out, char *err, size_t errlen);
void fastpath_sites_free(struct fastpath_sites *s);

/* Bytes of region the sites need (an even number of pages, at least two). */
uint32_t fastpath_region_size(const struct fastpath_sites *s);

/* Links every linkable site to a trampoline in the region at va (guest-physical gpa) of size
 * bytes: fills out (image, rewrites, counts).  -1 with err when the region is misaligned or too
 * small.  fastpath_link_free() releases it. */
int fastpath_generate(const struct fastpath_sites *s, uint32_t va, uint32_t gpa, uint32_t size,
                      struct fastpath_link *out, char *err, size_t errlen);
void fastpath_link_free(struct fastpath_link *l);

/* Applies the rewrites that fall in [file_offset, file_offset + len) of the image file to buf,
 * the copy of those bytes. */
void fastpath_apply(const struct fastpath_link *l, uint64_t file_offset, uint8_t *buf,
                    size_t len);

#endif
