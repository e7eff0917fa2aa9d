/* Single memory accesses of each kind, and a way to run one in User mode, for the MMU test
 * guests (mmu_basic, mmu_sweep): acc_* take (addr, value) and return what they read.  The code
 * between acc_start and acc_end is copied to test pages by guests that fetch from them. */
    .text
    .arm
    .global acc_start, acc_end, acc_read, acc_write, acc_ldrt, acc_strt, acc_ldrh
    .global acc_ldm, acc_ldrd, acc_fetch, fetch_back, run_user, user_return
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
