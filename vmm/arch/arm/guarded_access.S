/* Guarded accesses of the VMM to guest virtual memory, through the translation currently in
 * the MMU (the guest's).  An abort at one of the marked instructions does not panic: the
 * abort path (vectors.S, vmm_fault_fixup) resumes at the fixup, which returns -1.
 *
 *   int arch_guest_read(uint32_t va, uint32_t *out)    privileged read
 *   int arch_guest_write(uint32_t va, uint32_t value)  privileged write
 * Both return 0 on success. */
    .text
    .arm
    .global arch_guest_read, arch_guest_write
    .global guest_access_read_insn, guest_access_write_insn, guest_access_fixup
arch_guest_read:
guest_access_read_insn:
    ldr     r2, [r0]
    str     r2, [r1]
    mov     r0, #0
    bx      lr

arch_guest_write:
guest_access_write_insn:
    str     r1, [r0]
    mov     r0, #0
    bx      lr

guest_access_fixup:
    mvn     r0, #0
    bx      lr
