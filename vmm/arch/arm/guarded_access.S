/* The guarded read of the VMM from guest virtual memory, through the translation currently in
 * the MMU (the guest's).  An abort at the marked instruction does not panic: the abort path
 * (vectors.S, vmm_fault_fixup) resumes at the fixup, which returns -1.
 *
 *   int arch_guest_read(uint32_t va, uint32_t *out)    privileged read, 0 on success
 * (Writes to guest memory go by guest-physical address: guest_mem.c.) */
    .text
    .arm
    .global arch_guest_read
    .global guest_access_read_insn, guest_access_fixup
arch_guest_read:
guest_access_read_insn:
    ldr     r2, [r0]
    str     r2, [r1]
    mov     r0, #0
    bx      lr

guest_access_fixup:
    mvn     r0, #0
    bx      lr
