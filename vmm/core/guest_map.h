/* A VM's address space on the real MMU.  At this stage (before shadow paging) it is flat:
 * guest RAM at its guest-physical addresses, User read/write, plus the UART0 page passed
 * through; everything else faults.  The last megabyte is the VMM window, privileged-only. */
#ifndef ARMVMM_GUEST_MAP_H
#define ARMVMM_GUEST_MAP_H

struct vm;
void guest_map_build(struct vm *vm);

#endif
