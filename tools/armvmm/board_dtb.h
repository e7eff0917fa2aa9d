/* The device tree of the VMM's virtual Integrator/CP board, generated (libfdt) from the board's
 * device list (vboard_devices(), vmm/vdev/vboard.h) when `armvmm run` boots a vmlinux without
 * --dtb. It describes exactly the emulated devices, with the nodes, compatibles and clocks of
 * Linux's integratorcp.dts, so the kernel binds the same drivers as with the board's DTB; see
 * docs/DEVICES.md and board_dtb.c for the mapping. */
#ifndef ARMVMM_BOARD_DTB_H
#define ARMVMM_BOARD_DTB_H

#include <stddef.h>
#include <stdint.h>

struct vboard_device;

#define BOARD_DTB_MODEL "ARM Integrator/CP (armvmm virtual board)"

/* What the boot loader fills in (as QEMU does for a board DTB). */
struct board_dtb_params {
    uint32_t ram_size;                 /* /memory: RAM at guest-physical 0 */
    const char *bootargs;              /* /chosen/bootargs; NULL: none */
    uint32_t initrd_gpa, initrd_size;  /* /chosen/linux,initrd-start/-end; size 0: none */
    uint32_t reserve_gpa, reserve_size;/* a /memreserve/ entry (the trampolines); size 0: none */
};

/* Writes the flattened tree for the devices devs[0..n-1] into buf (bufsize bytes). Returns the
 * blob's size, or a negative libfdt error (-FDT_ERR_NOSPACE: buf too small; -FDT_ERR_BADVALUE:
 * a device the generator cannot describe, e.g. a timer without a clock). */
int board_dtb_build_devices(void *buf, size_t bufsize, const struct vboard_device *devs,
                            unsigned n, const struct board_dtb_params *p);

/* The same for the VMM's board (vboard_devices()). */
int board_dtb_build(void *buf, size_t bufsize, const struct board_dtb_params *p);

/* Generates the board's tree and writes it to path; its size through *size (may be NULL).
 * -1 with err on failure. */
int board_dtb_write(const char *path, const struct board_dtb_params *p, uint32_t *size,
                    char *err, size_t errlen);

#endif
