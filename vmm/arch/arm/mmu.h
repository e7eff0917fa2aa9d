/* The VMM's own address space: its window (mmu.c) and temporary mappings of host pages. */
#ifndef ARMVMM_MMU_H
#define ARMVMM_MMU_H

#include <stdint.h>

#include "addr.h"

/* Domains of real page tables.  The VMM's window is always Client in domain 15 and its pages are
 * privileged-only, so no guest DACR value can open it to User mode. */
#define DOMAIN_GUEST   0
#define DOMAIN_VMM     15

/* Host-physical address of a VMM object (anything inside the VMM image). */
hpa_t vmm_pa(const void *va);

void mmu_init(void);

/* Bytes of the VMM image in its window (code, data, tables, stacks). */
uint32_t vmm_image_size(void);

/* Makes an L1 table share the VMM window's coarse table (its last L1 slot). */
void mmu_install_window(uint32_t *l1);

/* Switches the real MMU to l1 (an L1 table inside the VMM image) with the given DACR. */
void mmu_switch(uint32_t *l1, uint32_t dacr);

/* Writes back table entries so the hardware walker sees them. */
void mmu_sync_table(const void *table, uint32_t len);

/* Maps the page of a real device the VMM drives at device slot `slot` (uncached,
 * privileged-only) and returns its virtual address. */
volatile uint32_t *mmu_map_device(unsigned slot, hpa_t pa);

/* Temporary-mapping slots, one per user so nested uses cannot collide. */
enum tmpmap_slot { TMPMAP_SLOT_BOOTINFO, TMPMAP_SLOT_GUEST };

/* Maps the host page holding pa at one of VMM_TMPMAP_SLOTS slots and returns its virtual
 * address (with pa's offset); tmpmap_unmap() cleans it out of the (VIVT) cache. */
void *tmpmap_map(unsigned slot, hpa_t pa);
void tmpmap_unmap(unsigned slot);

#endif
