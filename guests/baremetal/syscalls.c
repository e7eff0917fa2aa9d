/* System calls the way a kernel makes them, by the hundred: a User-mode program calls `svc`, the
 * SVC handler saves the User frame (STM^), takes User access away in the DACR, dispatches,
 * gives access back, restores (LDM^) and returns with `movs pc, lr`.  These are the traps the
 * VMM handles in assembly (vmm/arch/arm/trap_fast.S), so the calls also cover what those paths
 * must hand to C: a return into Thumb code and a SWI from Thumb state, flags and User sp/lr a
 * handler changed, an interrupt the return unmasks, a return to SVC mode.  Every register the
 * program sees is printed: the output must be identical on the bare board and under the VMM. */
#include "cpu.h"
#include "guest.h"

#define SYS_ADD        0u   /* r0 := r0 + r1 + r2 + r3 */
#define SYS_FLAGS      1u   /* the caller's NZCV := r0[31:28] */
#define SYS_SETREGS    2u   /* the caller's sp := r0, lr := r1 (through the saved frame, LDM^) */
#define SYS_THUMB      3u   /* continue at r0 in Thumb state */
#define SYS_IRQ        4u   /* raise the soft interrupt: taken as the call returns */
#define SYS_EXIT       5u   /* back to the SVC-mode caller of user_run() */
#define SYS_SPSR       6u   /* r0 := the SPSR the call saw (the caller's CPSR) */

#define CALLS          300u

/* The kernel side.  Frame on the SVC stack: r0-r12, User sp, User lr, return pc, SPSR.  The
 * DACR values are Linux's with PAN: domain 0 (User) no access in the kernel, client outside;
 * the soft interrupt is the primary interrupt controller's (0x14000000: +0x08 enable set, +0x0c
 * enable clear, +0x10 soft set, +0x14 soft clear). */
__asm__(".text\n"
        ".arm\n"
        ".global k_swi, k_irq, user_run, k_resume\n"
        "k_swi:\n"
        "  sub sp, sp, #72\n"
        "  stmia sp, {r0-r12}\n"
        "  add r8, sp, #52\n"
        "  stmia r8, {sp, lr}^\n"
        "  nop\n"
        "  str lr, [sp, #60]\n"
        "  ldr r12, =0x55555551\n"            /* User access away (PAN), from r12 */
        "  mcr p15, 0, r12, c3, c0, 0\n"
        "  mrs r9, spsr\n"
        "  str r9, [sp, #64]\n"
        "  cmp r7, #0\n"
        "  addeq r0, r0, r1\n"
        "  addeq r0, r0, r2\n"
        "  addeq r0, r0, r3\n"
        "  streq r0, [sp]\n"
        "  cmp r7, #1\n"
        "  biceq r9, r9, #0xf0000000\n"
        "  andeq r0, r0, #0xf0000000\n"
        "  orreq r9, r9, r0\n"
        "  streq r9, [sp, #64]\n"
        "  cmp r7, #2\n"
        "  streq r0, [sp, #52]\n"
        "  streq r1, [sp, #56]\n"
        "  cmp r7, #3\n"
        "  biceq r0, r0, #1\n"
        "  streq r0, [sp, #60]\n"
        "  orreq r9, r9, #0x20\n"
        "  streq r9, [sp, #64]\n"
        "  cmp r7, #4\n"
        "  ldreq r0, =0x14000000\n"
        "  moveq r1, #1\n"
        "  streq r1, [r0, #8]\n"              /* PIC IRQ enable: soft */
        "  streq r1, [r0, #16]\n"             /* PIC soft set */
        "  cmp r7, #5\n"
        "  ldreq r0, =k_resume\n"
        "  streq r0, [sp, #60]\n"
        "  moveq r0, #0xd3\n"
        "  streq r0, [sp, #64]\n"
        "  cmp r7, #6\n"
        "  streq r9, [sp]\n"
        "  ldr r9, [sp, #64]\n"
        "  msr spsr_cxsf, r9\n"
        "  ldr r3, =0x55555555\n"             /* User access back, from r3 */
        "  mcr p15, 0, r3, c3, c0, 0\n"
        "  add r8, sp, #52\n"
        "  ldmia r8, {sp, lr}^\n"
        "  nop\n"
        "  ldr lr, [sp, #60]\n"
        "  ldmia sp, {r0-r12}\n"
        "  add sp, sp, #72\n"
        "  movs pc, lr\n"
        /* IRQ: the soft interrupt, taken in User mode: where and in which mode, then off. */
        "k_irq:\n"
        "  push {r0-r3}\n"
        "  ldr r0, =irq_at\n"
        "  sub r1, lr, #4\n"
        "  mrs r2, spsr\n"
        "  stmia r0, {r1, r2}\n"
        "  ldr r0, =0x14000000\n"
        "  mov r1, #1\n"
        "  str r1, [r0, #0x14]\n"             /* soft clear */
        "  str r1, [r0, #0x0c]\n"             /* enable clear */
        "  pop {r0-r3}\n"
        "  subs pc, lr, #4\n"
        /* uint32_t user_run(void (*entry)(void), uint32_t sp): entry in User mode with that
         * stack; returns r0 of its SYS_EXIT call. */
        "user_run:\n"
        "  push {r4-r12, lr}\n"
        "  ldr r2, =k_saved_sp\n"
        "  str sp, [r2]\n"
        "  msr cpsr_c, #0xdf\n"
        "  mov sp, r1\n"
        "  msr cpsr_c, #0xd3\n"
        "  mov lr, r0\n"
        "  mov r2, #0x10\n"
        "  msr spsr_cxsf, r2\n"
        "  movs pc, lr\n"
        "k_resume:\n"
        "  ldr r2, =k_saved_sp\n"
        "  ldr sp, [r2]\n"
        "  pop {r4-r12, pc}\n"
        ".ltorg\n");

/* The User side. */
__asm__(".text\n"
        ".arm\n"
        ".global u_regs, u_setregs, u_thumb_part\n"
        /* void u_regs(uint32_t out[15]): every register set, an add call, every register
         * stored (r0 = the sum). */
        "u_regs:\n"
        "  push {r4-r12, lr}\n"
        "  mov lr, r0\n"
        "  ldr r0, =0x01000000\n"
        "  ldr r1, =0x00200000\n"
        "  ldr r2, =0x00030000\n"
        "  ldr r3, =0x00004000\n"
        "  ldr r4, =0x44444444\n"
        "  ldr r5, =0x55555555\n"
        "  ldr r6, =0x66666666\n"
        "  mov r7, #0\n"
        "  ldr r8, =0x88888888\n"
        "  ldr r9, =0x99999999\n"
        "  ldr r10, =0xaaaaaaaa\n"
        "  ldr r11, =0xbbbbbbbb\n"
        "  ldr r12, =0xcccccccc\n"
        "  svc #0\n"
        "  stmia lr, {r0-r12}\n"
        "  str sp, [lr, #52]\n"
        "  str lr, [lr, #56]\n"
        "  pop {r4-r12, pc}\n"
        /* void u_setregs(uint32_t out[2]): sp and lr replaced by a SYS_SETREGS call, stored,
         * then put back by a second one made with the new ones. */
        "u_setregs:\n"
        "  push {r4-r7, lr}\n"
        "  mov r4, sp\n"
        "  mov r5, lr\n"
        "  mov r6, r0\n"
        "  ldr r0, =0x00ff0000\n"
        "  ldr r1, =0xabad1dea\n"
        "  mov r7, #2\n"
        "  svc #0\n"
        "  str sp, [r6]\n"
        "  str lr, [r6, #4]\n"
        "  mov r0, r4\n"
        "  mov r1, r5\n"
        "  svc #0\n"
        "  pop {r4-r7, pc}\n"
        /* Thumb: a SYS_SPSR call from Thumb state (r0 := the CPSR it was made in), then back to
         * ARM at u_after_thumb with it in r4.  As data: `armvmm run` refuses Thumb code in a
         * guest it patches, but a User-mode program may well be Thumb (Linux's are not patched).
         */
        "  .balign 4\n"
        "u_thumb_part:\n"
        "  .hword 0x2706\n"                  /* movs r7, #6 */
        "  .hword 0xdf01\n"                  /* svc #1 */
        "  .hword 0x0004\n"                  /* movs r4, r0 */
        "  .hword 0x4801\n"                  /* ldr r0, [pc, #4]: the word below */
        "  .hword 0x4700\n"                  /* bx r0 */
        "  .hword 0x46c0\n"                  /* nop */
        "  .word u_after_thumb\n"
        ".ltorg\n"
        ".arm\n");

void k_swi(void);
void k_irq(void);
uint32_t user_run(void (*entry)(void), uint32_t sp);
void u_regs(uint32_t *out);
void u_setregs(uint32_t *out);
void u_thumb_part(void);

uint32_t k_saved_sp, irq_at[2], thumb_cpsr;
static uint32_t regs_out[15], sums, flags_seen, sp_seen[2], irq_marker;
static uint32_t user_stack[256] __attribute__((aligned(8)));

static uint32_t sys(uint32_t nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    register uint32_t r0 __asm__("r0") = a;
    register uint32_t r1 __asm__("r1") = b;
    register uint32_t r2 __asm__("r2") = c;
    register uint32_t r3 __asm__("r3") = d;
    register uint32_t r7 __asm__("r7") = nr;
    __asm__ volatile("svc #0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r7) : "memory", "cc");
    return r0;
}

static uint32_t user_cpsr(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, cpsr" : "=r"(v));
    return v;
}

/* The User-mode program; its results go to memory, the kernel prints them. */
__attribute__((used)) void u_main(void)
{
    for (uint32_t i = 0; i < CALLS; i++)
        sums += sys(SYS_ADD, i, i << 8, i << 16, 1) ^ i;
    u_regs(regs_out);

    sys(SYS_FLAGS, 0x90000000u, 0, 0, 0);
    flags_seen = user_cpsr();

    u_setregs(sp_seen);

    sys(SYS_THUMB, (uint32_t)u_thumb_part | 1u, 0, 0, 0);
    __builtin_unreachable();
}

__attribute__((used)) void u_main2(void)
{
    sys(SYS_IRQ, 0, 0, 0, 0);
    irq_marker = 0x1234;
    sys(SYS_EXIT, sums, 0, 0, 0);
    __builtin_unreachable();
}

/* Back from Thumb (r4: the CPSR of the Thumb call). */
__asm__(".text\n"
        ".arm\n"
        ".global u_after_thumb\n"
        "u_after_thumb:\n"
        "  ldr r0, =thumb_cpsr\n"
        "  str r4, [r0]\n"
        "  b u_main2\n"
        ".ltorg\n");

int main(void)
{
    guest_install_vectors();
    guest_setup_stacks();
    guest_set_vector(2, k_swi);
    guest_set_vector(6, k_irq);

    uint32_t ret = user_run(u_main, (uint32_t)&user_stack[256]);
    guest_printf("%u calls, sum %08x, returned %08x, dacr %08x\n", CALLS, sums, ret,
                 CP15_READ(c3, 0, c0, 0));
    guest_printf("registers after a call:");
    for (unsigned i = 0; i < 13; i++)
        guest_printf(" %08x", regs_out[i]);
    guest_printf("\n  sp is the stack: %s, lr is the array: %s\n",
                 regs_out[13] < (uint32_t)&user_stack[256] &&
                         regs_out[13] >= (uint32_t)&user_stack[0] ? "yes" : "no",
                 regs_out[14] == (uint32_t)regs_out ? "yes" : "no");
    guest_printf("flags set by the handler: cpsr %08x\n", flags_seen);
    guest_printf("sp, lr set by the handler: %08x %08x\n", sp_seen[0], sp_seen[1]);
    guest_printf("cpsr of a Thumb call %08x\n", thumb_cpsr);
    guest_printf("irq taken at u_main2+%u, spsr %08x, then marker %x\n",
                 irq_at[0] - (uint32_t)u_main2, irq_at[1], irq_marker);
    guest_printf("svc cpsr %08x\n", cpsr_read());
    return 0;
}
