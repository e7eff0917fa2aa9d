/* Booting a Linux kernel given as its ELF vmlinux (brief §3): recognise it, relocate it from
 * PAGE_OFFSET to guest-physical RAM, and prepare the DTB and initrd as QEMU's boot loader does
 * for a zImage on this board. */
#ifndef ARMVMM_LINUX_BOOT_H
#define ARMVMM_LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board_dtb.h"

#define LINUX_PAGE_OFFSET   0xc0000000u
#define LINUX_MACH_INTEGRATOR_CP 0x113u   /* machine type 275; ignored when a DTB is given */

enum guest_kind { GUEST_BAREMETAL, GUEST_LINUX };

/* A Linux vmlinux is an ELF whose entry is at or above PAGE_OFFSET and that defines the symbol
 * `linux_banner`; anything else is a bare-metal guest.  A zImage (not an ELF, with the zImage
 * magic) is refused with a message naming the vmlinux to use.  -1 with err on failure. */
int linux_classify(const char *path, enum guest_kind *kind, char *err, size_t errlen);

/* Where QEMU's boot loader puts the initrd and the DTB in RAM of ram_size bytes: initrd at
 * min(ram_size / 2, 128 MB), DTB after it, 4 KB aligned. */
struct linux_layout {
    uint32_t initrd_gpa, initrd_size;
    uint32_t dtb_gpa, dtb_size;
};

/* Reads dtb_in, sets /memory to the VM's RAM, /chosen/bootargs (if bootargs),
 * linux,initrd-start/-end (if initrd_size) and adds the /memreserve/ entry (if reserve_size),
 * and writes the result to dtb_out.  Returns the new blob's size through *size.  -1 with err
 * on failure. */
int linux_prepare_dtb(const char *dtb_in, const char *dtb_out, const struct board_dtb_params *p,
                      uint32_t *size, char *err, size_t errlen);

#endif
