/* The armvmm memory map, shared by the VMM and the host tool (which places guest images).
 *
 * Host-physical (QEMU integratorcp, always started with -m 256 under the VMM):
 *
 *   0x10000000 +-----------------------------+ <- board devices start here
 *              |                             |
 *              |  VM RAM pool (240 MB)       |  each VM: one contiguous, 1 MB aligned region,
 *              |    VM0 RAM, VM1 RAM, ...    |  seen by its guest at guest-physical 0
 *   0x01000000 +-----------------------------+ <- VM_RAM_POOL_BASE
 *              |  VMM heap (page tables ...) |
 *   0x00300000 +-----------------------------+
 *              |  boot info (from armvmm)    |  written by `armvmm run` through QEMU's loader
 *   0x00200000 +-----------------------------+ <- BOOTINFO_HPA
 *              |  VMM image (< 736 KB)       |  text, data, bss, boot page tables, stacks,
 *              |                             |  .uncached: shadow tables, shared pages
 *   0x00100000 +-----------------------------+ <- VMM_PHYS_BASE
 *              |  (unused)                   |
 *   0x00000000 +-----------------------------+
 *
 * VMM virtual window (the guest's last 1 MB L1 slot, 0xfff00000-0xffffffff, is a VM's coarse
 * table for it, one per virtual mode, shared by the VM's address spaces; Linux 6.1 leaves
 * 0xfff00000-0xfffdffff unused, brief §3):
 *
 *   0xffff0000  vectors page: the VMM's real vectors while the guest uses low vectors
 *   0xfffe0000  +-- guest-owned (vectors 0xffff0000, stubs 0xffff1000 of a Linux guest)
 *   0xfffc0000  temporary mappings (VMM_TMPMAP_SLOTS pages) to reach any host page
 *   0xfffb8000  the real devices the VMM drives itself (timers, interrupt controller, UARTs)
 *   0xfff00000  VMM image, mapped privileged-only (AP=01): guest User mode can never reach it
 */
#ifndef ARMVMM_MEMLAYOUT_H
#define ARMVMM_MEMLAYOUT_H

#define MB(x)                ((x) * 0x100000)

#define HOST_RAM_SIZE        MB(256)
#define BOARD_DEVICE_BASE    0x10000000

#define VMM_PHYS_BASE        0x00100000
#define VMM_IMAGE_MAX        (VMM_DEVICE_VA - VMM_VIRT_BASE)
#define BOOTINFO_HPA         0x00200000
#define VMM_HEAP_HPA         0x00300000
#define VM_RAM_POOL_BASE     0x01000000
#define VM_RAM_POOL_END      BOARD_DEVICE_BASE
#define VM_RAM_ALIGN         MB(1)

#define VMM_VIRT_BASE        0xfff00000
#define VMM_DEVICE_VA        0xfffb8000
#define VMM_DEVICE_SLOTS     8
#define VMM_TMPMAP_VA        0xfffc0000
#define VMM_TMPMAP_SLOTS     40
#define VMM_WINDOW_END       0xfffe0000   /* exclusive: above belongs to the guest */
#define HIGH_VECTORS_VA      0xffff0000
#define LOW_VECTORS_VA       0x00000000

/* A guest's RAM size limits (MB). */
#define VM_RAM_MIN_MB        1
#define VM_RAM_MAX_MB        ((VM_RAM_POOL_END - VM_RAM_POOL_BASE) / MB(1))

#endif
