#include "guest_map.h"

#include "integratorcp.h"
#include "memlayout.h"
#include "mmu.h"
#include "vm.h"

/* One coarse table per VM for the megabyte holding its passed-through UART0 page. */
static uint32_t uart0_l2[MAX_VMS][L2C_ENTRIES]
    __attribute__((section(".pagetables"), aligned(L2C_TABLE_SIZE)));

void guest_map_build(struct vm *vm)
{
    uint32_t *l1 = vm->l1;

    for (unsigned i = 0; i < L1_ENTRIES; i++)
        l1[i] = 0;
    for (uint32_t off = 0; off < vm->ram_size; off += SECTION_SIZE)
        l1[L1_INDEX(vm->ram_gpa.pa + off)] =
            l1_section(vm->ram_hpa.pa + off, DOMAIN_GUEST, AP_USER_RW, 1);

    /* The paper's device approach: the guest reaches UART0's registers directly; only that
     * 4 KB page, uncached, so nothing else of the board leaks in. */
    if (vm->uart0_passthrough) {
        uint32_t *l2 = uart0_l2[vm->id];
        for (unsigned i = 0; i < L2C_ENTRIES; i++)
            l2[i] = 0;
        l2[L2C_INDEX(INTEGRATOR_UART0_BASE)] = l2_small(INTEGRATOR_UART0_BASE, AP_USER_RW, 0);
        mmu_sync_table(l2, L2C_TABLE_SIZE);
        l1[L1_INDEX(INTEGRATOR_UART0_BASE)] = l1_coarse(vmm_pa(l2).pa, DOMAIN_GUEST);
    }
    mmu_install_window(l1);
    mmu_sync_table(l1, L1_TABLE_SIZE);
}
