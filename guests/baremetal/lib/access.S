/* Single memory accesses of each kind, and a way to run one in User mode, for the MMU test
 * guests (mmu_basic, mmu_sweep): acc_* take (addr, value) and return what they read.  The code
 * between acc_start and acc_end is copied to test pages by guests that fetch from them. */
    .text
    .arm
    .global acc_start, acc_end, acc_read, acc_write, acc_ldrt, acc_strt, acc_ldrh
    .global acc_ldm, acc_ldrd, acc_svc_exit, svc_exit_back, acc_fetch, fetch_back, run_user
    .global user_return
acc_start:
acc_read:  ldr r0, [r0]
           bx lr
acc_write: str r1, [r0]
           bx lr
acc_ldrt:  mov r2, r0
           ldrt r0, [r2]
           bx lr
acc_strt:  strt r1, [r0]
           bx lr
acc_ldrh:  ldrh r0, [r0]
           bx lr
acc_ldm:   ldm r0, {r2, r3}
           mov r0, r2
           bx lr
acc_ldrd:  ldrd r2, r3, [r0]
           mov r0, r2
           bx lr
/* `ldmia sp, {r0-pc}^` with sp = frame, from SVC mode back to SVC mode (Linux's svc_exit):
 * frame[15] must be svc_exit_back.  Returns frame[0] + frame[12] + frame[14] + the CPSR after
 * it (the SPSR it set: SVC, I, F, Z, C), or ~0 after an abort. */
acc_svc_exit:
           push {r4-r12, lr}
           ldr r2, 2f
           str sp, [r2]
           ldr r1, 3f
           msr spsr_cxsf, r1
           mov sp, r0
           ldmia sp, {r0-pc}^
           ldr r2, 2f                @ (resumed here after an abort)
           ldr sp, [r2]
           mvn r0, #0
           pop {r4-r12, pc}
svc_exit_back:
           ldr r2, 2f
           ldr sp, [r2]
           add r0, r0, r12
           add r0, r0, lr
           mrs r1, cpsr
           add r0, r0, r1
           pop {r4-r12, pc}
2:         .word svc_exit_sp
3:         .word 0x600000d3
acc_end:
/* uint32_t acc_fetch(target): branch to target (a `bx lr` on a test page), come back. */
acc_fetch: push {r4, lr}
           blx r0
fetch_back:
           pop {r4, pc}
/* uint32_t run_user(fn, a0, a1): fn(a0, a1) in User mode (IRQ/FIQ masked), then `svc #0x55`,
 * whose handler (the guest's) resumes at user_return in SVC mode. */
run_user:  push {r4-r12, lr}
           mov r4, r0
           mov r0, #0xd0
           msr spsr_cxsf, r0
           adr lr, 1f
           movs pc, lr
1:         mov r0, r1
           mov r1, r2
           blx r4
           svc #0x55
user_return:
           pop {r4-r12, pc}

    .data
    .balign 4
svc_exit_sp:
    .word 0
