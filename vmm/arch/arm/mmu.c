#include "mmu.h"

#include "cp15.h"
#include "memlayout.h"
#include "pte.h"

extern char __vmm_start[], __vmm_end[], __uncached_start[], __uncached_end[], vmm_vectors[];

/* The boot table (boot.S fills it with the MMU off) stays the VMM's table until a VM runs. */
static uint32_t boot_l1[L1_ENTRIES] __attribute__((section(".pagetables.boot"), aligned(L1_TABLE_ALIGN)));
/* The last megabyte of the boot address space: VMM image, device and temporary mappings,
 * vectors page.  Every VM gets a copy (mmu_window_clone) to which its own pages up there
 * (a Linux guest's vectors and stubs) are added; the current one is where tmpmap works.  A
 * window is a pair of tables (MMU_WINDOW_WORDS): the one for the guest's privileged modes,
 * then the one for its User mode, which differ in the guest's pages only. */
static uint32_t window_l2[MMU_WINDOW_WORDS]
    __attribute__((section(".pagetables"), aligned(L2C_TABLE_SIZE)));
static uint32_t *cur_window = window_l2;

hpa_t vmm_pa(const void *va)
{
    return hpa((uint32_t)(uintptr_t)va - VMM_VIRT_BASE + VMM_PHYS_BASE);
}

uint32_t vmm_image_size(void)
{
    return (uint32_t)(__vmm_end - __vmm_start);
}

void mmu_sync_table(const void *table, uint32_t len)
{
    const char *p = table;
    if (p < __uncached_start || p >= __uncached_end)   /* (uncached: in memory already) */
        cp15_clean_dcache_range(table, len);
}

static void window_set(vaddr_t va, uint32_t desc)
{
    cur_window[L2C_INDEX(va)] = desc;
    cur_window[L2C_ENTRIES + L2C_INDEX(va)] = desc;
    mmu_sync_table(&cur_window[L2C_INDEX(va)], 4);
    mmu_sync_table(&cur_window[L2C_ENTRIES + L2C_INDEX(va)], 4);
    cp15_write_tlb_invalidate_mva(va & ~(PAGE_SIZE - 1));
}

void mmu_window_clone(uint32_t *window)
{
    for (unsigned i = 0; i < MMU_WINDOW_WORDS; i++)
        window[i] = window_l2[i % L2C_ENTRIES];
    mmu_sync_table(window, MMU_WINDOW_WORDS * 4);
}

uint32_t mmu_window_desc(const uint32_t *window, bool user)
{
    return l1_coarse(vmm_pa(window + (user ? L2C_ENTRIES : 0)).pa, DOMAIN_VMM);
}

void mmu_install_window(uint32_t *l1, uint32_t *window)
{
    l1[L1_INDEX(VMM_VIRT_BASE)] = mmu_window_desc(window, false);
    mmu_sync_table(&l1[L1_INDEX(VMM_VIRT_BASE)], 4);
}

uint32_t mmu_vectors_desc(void)
{
    return l2_small(vmm_pa(vmm_vectors).pa, AP_PRIV_ONLY, 1);
}

static void sctlr_set(uint32_t bit, bool on)
{
    uint32_t sctlr = cp15_read_sctlr();
    cp15_write_sctlr(on ? sctlr | bit : sctlr & ~bit);
}

void mmu_set_high_vectors(bool high)
{
    sctlr_set(SCTLR_V, high);
}

void mmu_set_alignment_check(bool on)
{
    sctlr_set(SCTLR_A, on);
}

void mmu_init(void)
{
    for (uintptr_t va = (uintptr_t)__vmm_start; va < (uintptr_t)__vmm_end; va += PAGE_SIZE) {
        bool cached = va < (uintptr_t)__uncached_start || va >= (uintptr_t)__uncached_end;
        window_l2[L2C_INDEX(va)] = l2_small(vmm_pa((void *)va).pa, AP_PRIV_ONLY, cached);
    }
    /* The real vectors sit at the high vector base; guest RAM owns virtual address 0. */
    window_l2[L2C_INDEX(HIGH_VECTORS_VA)] = mmu_vectors_desc();
    mmu_sync_table(window_l2, sizeof(window_l2));

    boot_l1[L1_INDEX(VMM_PHYS_BASE)] = 0;   /* drop the identity map used to turn the MMU on */
    mmu_install_window(boot_l1, window_l2);
    mmu_switch(boot_l1, window_l2, DACR_DOMAIN(DOMAIN_VMM, DACR_CLIENT));
    cp15_write_sctlr(cp15_read_sctlr() | SCTLR_V | SCTLR_C | SCTLR_I);
}

void mmu_switch(uint32_t *l1, uint32_t *window, uint32_t dacr)
{
    cur_window = window;
    /* ARM926 caches are virtually indexed and tagged: a new address space needs them empty. */
    cp15_dcache_clean_inv_all();
    cp15_write_icache_invalidate_all(0);
    cp15_write_drain_write_buffer(0);
    cp15_write_ttbr0(vmm_pa(l1).pa);
    cp15_write_dacr(dacr);
    cp15_write_tlb_invalidate_all(0);
}

volatile uint32_t *mmu_map_device(unsigned slot, hpa_t pa)
{
    vaddr_t va = VMM_DEVICE_VA + slot * PAGE_SIZE;
    window_set(va, l2_small(pa.pa, AP_PRIV_ONLY, 0));
    return (volatile uint32_t *)(uintptr_t)va;
}

void mmu_flush_all(uint32_t dacr)
{
    cp15_dcache_clean_inv_all();
    cp15_write_icache_invalidate_all(0);
    cp15_write_drain_write_buffer(0);
    cp15_write_dacr(dacr);
    cp15_write_tlb_invalidate_all(0);
}

void mmu_flush_va(uint32_t va)
{
    /* A page that gains a mapping has no cache lines under this VA yet; only the TLB may hold
     * a stale (fault) entry, and the ARM926 caches no faults: this is cheap insurance. */
    cp15_write_tlb_invalidate_mva(va & ~(PAGE_SIZE - 1));
}

void mmu_unmap_va(uint32_t va)
{
    cp15_flush_dcache_range((void *)(uintptr_t)(va & ~(PAGE_SIZE - 1)), PAGE_SIZE);
    cp15_write_icache_invalidate_all(0);
    cp15_write_tlb_invalidate_mva(va & ~(PAGE_SIZE - 1));
}

static void *tmpmap_set(unsigned slot, hpa_t pa, bool cached)
{
    vaddr_t va = VMM_TMPMAP_VA + slot * PAGE_SIZE;
    window_set(va, l2_small(pa.pa, AP_PRIV_ONLY, cached));
    return (void *)(uintptr_t)(va + (pa.pa & (PAGE_SIZE - 1)));
}

void *tmpmap_map(unsigned slot, hpa_t pa)
{
    return tmpmap_set(slot, pa, true);
}

void *tmpmap_map_uncached(unsigned slot, hpa_t pa)
{
    return tmpmap_set(slot, pa, false);
}

void tmpmap_unmap(unsigned slot, const void *p, uint32_t len)
{
    vaddr_t va = VMM_TMPMAP_VA + slot * PAGE_SIZE;
    /* VIVT cache: write the lines back and drop them before the slot maps another page. */
    cp15_flush_dcache_range(p, len);
    window_set(va, 0);
}
