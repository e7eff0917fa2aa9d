#include "vdomain.h"

#define DACR_NOACCESS 0u
#define DACR_CLIENT   1u
#define DACR_MANAGER  3u

void vdomain_reset(struct vdomain_map *m)
{
    for (unsigned g = 0; g < 16; g++)
        for (unsigned c = 0; c < NR_PAGE_CLASSES; c++)
            m->real[g][c] = VDOMAIN_NONE;
    m->used = 0;
}

uint8_t vdomain_get(struct vdomain_map *m, unsigned gdom, enum page_class c)
{
    uint8_t *r = &m->real[gdom & 15][c];

    if (*r == VDOMAIN_NONE && m->used < VDOMAIN_REAL_MAX) {
        *r = m->used++;
        m->guest_domain[*r] = (uint8_t)(gdom & 15);
        m->page_class[*r] = (uint8_t)c;
    }
    return *r;
}

/* Guest domain type -> real type for one class.  Type 2 is reserved on ARMv5 and behaves as
 * NoAccess (a domain fault), as QEMU implements it. */
static uint32_t real_type(uint32_t guest_type, enum page_class c, bool vpriv)
{
    if (c >= PAGE_SPLIT) {
        if (guest_type == DACR_MANAGER)
            return DACR_CLIENT;
        c -= PAGE_SPLIT;
    }
    switch (guest_type) {
    case DACR_MANAGER:
        return DACR_MANAGER;
    case DACR_CLIENT:
        return c == PAGE_PRIV_ONLY && !vpriv ? DACR_NOACCESS : DACR_CLIENT;
    default:
        return DACR_NOACCESS;
    }
}

uint32_t vdomain_real_dacr(const struct vdomain_map *m, uint32_t guest_dacr, bool vpriv)
{
    uint32_t dacr = DACR_CLIENT << (2 * VDOMAIN_VMM);

    for (unsigned r = 0; r < m->used; r++) {
        uint32_t gtype = (guest_dacr >> (2 * m->guest_domain[r])) & 3;
        dacr |= real_type(gtype, (enum page_class)m->page_class[r], vpriv) << (2 * r);
    }
    return dacr;
}
