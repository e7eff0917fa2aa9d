/* The VMM's own address space: its window (mmu.c) and temporary mappings of host pages. */
#ifndef ARMVMM_MMU_H
#define ARMVMM_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* Domains of real page tables.  The VMM's window is always Client in domain 15 and its pages are
 * privileged-only, so no guest DACR value can open it to User mode. */
#define DOMAIN_VMM     15

/* Host-physical address of a VMM object (anything inside the VMM image). */
hpa_t vmm_pa(const void *va);

void mmu_init(void);

/* Bytes of the VMM image in its window (code, data, tables, stacks). */
uint32_t vmm_image_size(void);

/* A window is two coarse tables of the window megabyte, one after the other: for the guest's
 * privileged modes, then for its User mode.  The VMM's entries are the same in both (tmpmap,
 * device mappings write both); the guest's pages there may differ (shadow.c). */
#define MMU_WINDOW_WORDS (2 * L2C_ENTRIES)

/* Copies the VMM's entries of the window megabyte into both tables of a VM's own window. */
void mmu_window_clone(uint32_t *window);

/* The L1 descriptor of a window's privileged (user false) or User table. */
uint32_t mmu_window_desc(const uint32_t *window, bool user);

/* Puts a window's privileged table (the boot one or a VM's clone) in l1's last slot. */
void mmu_install_window(uint32_t *l1, uint32_t *window);

/* The small-page descriptor of the VMM's real vectors page (privileged-only), and where the
 * real vectors are taken from (SCTLR.V): the base the guest does not use. */
uint32_t mmu_vectors_desc(void);
void mmu_set_high_vectors(bool high);

/* Alignment checking (SCTLR.A) follows the guest's: a Manager domain or a page the real MMU
 * grants would otherwise hide the alignment faults the guest must see. */
void mmu_set_alignment_check(bool on);

/* Switches the real MMU to l1 (an L1 table inside the VMM image) whose last slot is window,
 * with the given DACR. */
void mmu_switch(uint32_t *l1, uint32_t *window, uint32_t dacr);

/* After changing mappings of the current address space: every TLB entry and (VIVT caches)
 * every cache line go, the DACR is rewritten; or only those of one page. */
void mmu_flush_all(uint32_t dacr);
void mmu_flush_va(uint32_t va);

/* Before a mapping of the page at va goes away: its cache lines are written back and dropped
 * (VIVT), the I-cache and its TLB entry invalidated. */
void mmu_unmap_va(uint32_t va);

/* Writes back table entries so the hardware walker sees them (nothing to do for the tables of
 * the image's .uncached section, the shadow's: they are in memory already). */
void mmu_sync_table(const void *table, uint32_t len);

/* Maps the page of a real device the VMM drives at device slot `slot` (uncached,
 * privileged-only) and returns its virtual address. */
volatile uint32_t *mmu_map_device(unsigned slot, hpa_t pa);

/* Temporary-mapping slots, one per user so nested uses cannot collide; the last
 * TMPMAP_TABLE_SLOTS keep guest page-table pages mapped for reading (guest_mem.c). */
enum tmpmap_slot { TMPMAP_SLOT_BOOTINFO, TMPMAP_SLOT_GUEST, TMPMAP_SLOT_WORDS,
                   TMPMAP_SLOT_BLOCK_DST, TMPMAP_SLOT_BLOCK_SRC, TMPMAP_SLOT_TABLES = 8 };
#define TMPMAP_TABLE_SLOTS (VMM_TMPMAP_SLOTS - TMPMAP_SLOT_TABLES)

/* Maps the host page holding pa at one of VMM_TMPMAP_SLOTS slots and returns its virtual
 * address (with pa's offset); tmpmap_unmap() cleans the len bytes used at p out of the (VIVT)
 * cache before the slot goes: only those lines can hold data under this alias. */
void *tmpmap_map(unsigned slot, hpa_t pa);
/* The same, uncached: reads go to memory, as the hardware table walker's do (no cache line of
 * the slot's VA ever needs dropping). */
void *tmpmap_map_uncached(unsigned slot, hpa_t pa);
void tmpmap_unmap(unsigned slot, const void *p, uint32_t len);

#endif
