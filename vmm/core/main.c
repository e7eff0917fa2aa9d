/* The VMM's C entry: its own address space, the boot information from `armvmm run`, the VMs. */
#include "board.h"
#include "bootinfo.h"
#include "log.h"
#include "memlayout.h"
#include "mmu.h"
#include "panic.h"
#include "sched.h"
#include "vm.h"

static struct vm vms[MAX_VMS];
static struct bootinfo boot;

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Everything in the boot block is checked: a corrupt one is a clear panic, never a wild write. */
static void bootinfo_check(const struct bootinfo *bi)
{
    if (bi->magic != BOOTINFO_MAGIC || bi->version != BOOTINFO_VERSION)
        vmm_panic("no valid boot information at 0x%08x (start the VMM with `armvmm run`)",
                  BOOTINFO_HPA);
    if (bi->nr_vms == 0 || bi->nr_vms > BOOTINFO_MAX_VMS)
        vmm_panic("boot information lists %u VMs (1..%u supported)", bi->nr_vms, BOOTINFO_MAX_VMS);
    for (unsigned i = 0; i < bi->nr_vms; i++) {
        const struct bootinfo_vm *v = &bi->vm[i];
        if (v->ram_hpa % VM_RAM_ALIGN || v->ram_size % VM_RAM_ALIGN || v->ram_size == 0 ||
            v->ram_hpa < VM_RAM_POOL_BASE || v->ram_size > VM_RAM_POOL_END - v->ram_hpa)
            vmm_panic("vm%u: RAM 0x%08x+0x%x is not an aligned part of the VM pool", i,
                      v->ram_hpa, v->ram_size);
        if (v->entry >= v->ram_size)
            vmm_panic("vm%u: entry 0x%08x is outside its RAM", i, v->entry);
        if (v->fast_size && ((v->fast_gpa | v->fast_va) % PAGE_SIZE ||
                             v->fast_size % (2 * PAGE_SIZE) || v->fast_gpa >= v->ram_size ||
                             v->fast_size > v->ram_size - v->fast_gpa))
            vmm_panic("vm%u: trampoline region 0x%08x+0x%x is not an aligned part of its RAM", i,
                      v->fast_gpa, v->fast_size);
        if (v->passthrough & ~BOOT_PASSTHROUGH_ALL)
            vmm_panic("vm%u: unknown pass-through devices 0x%x", i, v->passthrough);
        for (unsigned j = 0; j < i; j++)
            if (ranges_overlap(v->ram_hpa, v->ram_size, bi->vm[j].ram_hpa, bi->vm[j].ram_size))
                vmm_panic("vm%u and vm%u share RAM", j, i);
            else if (v->passthrough & bi->vm[j].passthrough)
                vmm_panic("vm%u and vm%u share a passed-through device", j, i);
    }
}

static void bootinfo_load(void)
{
    const struct bootinfo *bi = tmpmap_map(TMPMAP_SLOT_BOOTINFO, hpa(BOOTINFO_HPA));
    boot = *bi;
    tmpmap_unmap(TMPMAP_SLOT_BOOTINFO, bi, sizeof(*bi));
    bootinfo_check(&boot);
}

void vmm_main(void)
{
    mmu_init();
    board_init();
    vmm_log("VMM up, window 0x%08x-0x%08x, %u KB image\n", VMM_VIRT_BASE, VMM_WINDOW_END - 1,
            (unsigned)(vmm_image_size() / 1024));
    bootinfo_load();
    sched_set_flags(boot.flags);
    for (unsigned i = 0; i < boot.nr_vms; i++) {
        vm_init(&vms[i], i, &boot.vm[i]);
        vms[i].stats.sites_on = (boot.flags & BOOT_FLAG_STATS) != 0;
        vms[i].stats.sites_all = (boot.flags & BOOT_FLAG_STATS_ALL) != 0;
        vms[i].stats.vm_id = (uint8_t)i;
        sched_add(&vms[i]);
    }
    sched_start();
}
