/* Virtual protection levels with domains (paper §3.4, adapted to Linux 6.1 — brief §3).
 *
 * The guest kernel runs in the real User mode like guest user code, so the real MMU cannot tell
 * them apart by privilege.  Instead every shadow entry is put in a real domain chosen from
 * (guest domain, page class):
 *
 *   PAGE_USER_VISIBLE  a guest User access may do something (read or read/write): the real AP
 *                      is the guest's *User* permission.  A privileged access that may do more
 *                      (kernel write to a user read-only page) faults for real and the VMM
 *                      emulates it — or, for STRT/LDRT, gives the guest the permission fault
 *                      copy-on-write depends on.
 *   PAGE_PRIV_ONLY     only privileged accesses are allowed: the real AP is the guest's
 *                      *privileged* permission, and the domain is NoAccess in virtual User mode.
 *
 * The real DACR is then a pure function of the guest DACR, the virtual mode and this map, so a
 * guest DACR write or a virtual mode change is a recompute, never a shadow flush.  Real domains
 * 0..14 are handed out on first use (Linux uses 4 guest domains, so at most 8 real ones); when
 * all 15 are taken the caller flushes the shadow tables and resets the map, so any guest DACR
 * value works.  Domain 15 belongs to the VMM and is always Client. */
#ifndef ARMVMM_VDOMAIN_H
#define ARMVMM_VDOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#define VDOMAIN_REAL_MAX   15       /* real domains 0..14 for guests */
#define VDOMAIN_VMM        15
#define VDOMAIN_NONE       0xff

/* A guest section split into pages so that some can be read-only while the VMM watches them
 * (shadow_watch.h) keeps its class, as a split (PAGE_SPLIT + class).  Only sections the real
 * CPU may write whole are split (real AP User RW), so a split's entries are all writable but
 * the watched ones: in a Manager guest domain its real domain is Client (the AP of the watched
 * pages is then the one thing a Manager domain would not check). */
enum page_class { PAGE_USER_VISIBLE, PAGE_PRIV_ONLY, PAGE_SPLIT, NR_PAGE_CLASSES = 2 * PAGE_SPLIT };

struct vdomain_map {
    uint8_t real[16][NR_PAGE_CLASSES];          /* VDOMAIN_NONE: not allocated */
    uint8_t guest_domain[VDOMAIN_REAL_MAX];     /* reverse map */
    uint8_t page_class[VDOMAIN_REAL_MAX];
    uint8_t used;
};

void vdomain_reset(struct vdomain_map *m);

/* The real domain for pages of guest domain gdom and class c; VDOMAIN_NONE when all real
 * domains are taken (flush the shadow tables, vdomain_reset(), try again). */
uint8_t vdomain_get(struct vdomain_map *m, unsigned gdom, enum page_class c);

/* The real DACR for a guest DACR in virtual privileged (vpriv) or User mode. */
uint32_t vdomain_real_dacr(const struct vdomain_map *m, uint32_t guest_dacr, bool vpriv);

#endif
