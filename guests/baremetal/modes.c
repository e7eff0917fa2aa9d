/* Processor modes and banked registers: every mode's SP/LR, FIQ r8-r12, every SPSR, flags
 * across mode changes, MSR on the CPSR, entry to User mode and SWI back, STM^/LDM^ (user bank),
 * `subs pc, lr, #4` and `movs pc, lr` returns (to User mode, and from IRQ/ABT/UND to SVC).  Output must be identical on the bare board and
 * under the VMM. */
#include "cpu.h"
#include "guest.h"

/* void bank_set(uint32_t mode_with_if, uint32_t base): sp = base+13, lr = base+14 in that mode,
 * and r8-r12 = base+8.. when it is FIQ.  bank_get(mode, out[7]): r8-r12, sp, lr of that mode. */
__asm__(".text\n"
        ".global bank_set\n"
        "bank_set:\n"
        "  push {r4-r12, lr}\n"
        "  mrs r3, cpsr\n"
        "  msr cpsr_c, r0\n"
        "  add sp, r1, #13\n"
        "  add lr, r1, #14\n"
        "  and r2, r0, #0x1f\n"
        "  cmp r2, #0x11\n"
        "  addeq r8, r1, #8\n"
        "  addeq r9, r1, #9\n"
        "  addeq r10, r1, #10\n"
        "  addeq r11, r1, #11\n"
        "  addeq r12, r1, #12\n"
        "  msr cpsr_c, r3\n"
        "  pop {r4-r12, pc}\n"
        ".global bank_get\n"
        "bank_get:\n"
        "  push {r4-r12, lr}\n"
        "  mrs r3, cpsr\n"
        "  msr cpsr_c, r0\n"
        "  str r8, [r1]\n"
        "  str r9, [r1, #4]\n"
        "  str r10, [r1, #8]\n"
        "  str r11, [r1, #12]\n"
        "  str r12, [r1, #16]\n"
        "  str sp, [r1, #20]\n"
        "  str lr, [r1, #24]\n"
        "  msr cpsr_c, r3\n"
        "  pop {r4-r12, pc}\n"
        ".global spsr_set_in\n"
        "spsr_set_in:\n"
        "  mrs r3, cpsr\n"
        "  msr cpsr_c, r0\n"
        "  msr spsr_cxsf, r1\n"
        "  msr cpsr_c, r3\n"
        "  bx lr\n"
        ".global spsr_get_in\n"
        "spsr_get_in:\n"
        "  mrs r3, cpsr\n"
        "  msr cpsr_c, r0\n"
        "  mrs r0, spsr\n"
        "  msr cpsr_c, r3\n"
        "  bx lr\n"
        /* uint32_t flags_across_modes(void): set NZCV, go to IRQ mode and back, return CPSR
         * as read in IRQ mode. */
        ".global flags_across_modes\n"
        "flags_across_modes:\n"
        "  mrs r3, cpsr\n"
        "  msr cpsr_f, #0xa0000000\n"
        "  msr cpsr_c, #0xd2\n"
        "  mrs r0, cpsr\n"
        "  msr cpsr_c, r3\n"
        "  msr cpsr_f, #0\n"
        "  bx lr\n"
        /* uint32_t subs_return(void): SPSR_svc = SVC|IF|Z, then `subs pc, lr, #4` to a label. */
        ".global subs_return\n"
        "subs_return:\n"
        "  mov r2, lr\n"
        "  ldr r0, =0x400000d3\n"
        "  msr spsr_cxsf, r0\n"
        "  adr lr, 1f\n"
        "  add lr, lr, #4\n"
        "  subs pc, lr, #4\n"
        "1:mrs r0, cpsr\n"
        "  bx r2\n"
        /* void user_roundtrip(uint32_t *out): User mode via `movs pc, lr`; there read the CPSR,
         * try `msr cpsr_c, #0xd3` and `msr cpsr_c, r5` = 0x90 (I alone; both ignored in User
         * mode, also through the VMM's trampolines), read again after each, `svc #0x42`; the
         * SWI handler resumes at user_back in SVC mode. */
        ".global user_roundtrip, user_back\n"
        "user_roundtrip:\n"
        "  push {r4-r12, lr}\n"
        "  mov r4, r0\n"
        "  mov r0, #0x10\n"
        "  msr spsr_cxsf, r0\n"
        "  adr lr, 2f\n"
        "  movs pc, lr\n"
        "2:mrs r0, cpsr\n"
        "  str r0, [r4]\n"
        "  msr cpsr_c, #0xd3\n"
        "  mrs r0, cpsr\n"
        "  str r0, [r4, #4]\n"
        "  mov r5, #0x90\n"
        "  msr cpsr_c, r5\n"
        "  mrs r0, cpsr\n"
        "  str r0, [r4, #12]\n"
        "  svc #0x42\n"
        "user_back:\n"
        "  mrs r0, cpsr\n"
        "  str r0, [r4, #8]\n"
        "  pop {r4-r12, pc}\n"
        /* uint32_t exc_to_svc(uint32_t mode_with_if): into that mode, SPSR := SVC|I|F|Z|C,
         * `movs pc, lr` back to SVC mode (a vector stub going on to its handler); returns the
         * CPSR there, bit 8 cleared and set again if SVC's sp came back unchanged. */
        ".global exc_to_svc\n"
        "exc_to_svc:\n"
        "  push {r4, r5, lr}\n"
        "  mov r4, sp\n"
        "  msr cpsr_c, r0\n"
        "  ldr r0, =0x600000d3\n"
        "  msr spsr_cxsf, r0\n"
        "  adr lr, 1f\n"
        "  movs pc, lr\n"
        "1:mrs r0, cpsr\n"
        "  bic r0, r0, #0x100\n"
        "  cmp sp, r4\n"
        "  orreq r0, r0, #0x100\n"
        "  pop {r4, r5, pc}\n"
        ".ltorg\n"
        /* uint32_t ldm_return(uint32_t *frame): `ldmia r0, {r0-r12, pc}^` from SVC mode back to
         * SVC mode (a kernel's exception exit), frame[13] := the label after it; returns the
         * sum of the r0-r12 it loaded. */
        ".global ldm_return\n"
        "ldm_return:\n"
        "  push {r4-r12, lr}\n"
        "  ldr r1, =0x600000d3\n"
        "  msr spsr_cxsf, r1\n"
        "  adr r1, 1f\n"
        "  str r1, [r0, #52]\n"
        "  ldmia r0, {r0-r12, pc}^\n"
        "1:add r0, r0, r1\n"
        "  add r0, r0, r2\n"
        "  add r0, r0, r3\n"
        "  add r0, r0, r4\n"
        "  add r0, r0, r5\n"
        "  add r0, r0, r6\n"
        "  add r0, r0, r7\n"
        "  add r0, r0, r8\n"
        "  add r0, r0, r9\n"
        "  add r0, r0, r10\n"
        "  add r0, r0, r11\n"
        "  add r0, r0, r12\n"
        "  pop {r4-r12, pc}\n"
        ".ltorg\n"
        /* void user_bank_io(uint32_t *io): STM^ then LDM^ of the user SP/LR from SVC mode. */
        ".global user_bank_io\n"
        "user_bank_io:\n"
        "  stmia r0, {sp, lr}^\n"
        "  nop\n"
        "  add r1, r0, #8\n"
        "  ldmia r1, {sp, lr}^\n"
        "  nop\n"
        "  bx lr\n");

void bank_set(uint32_t mode, uint32_t base);
void bank_get(uint32_t mode, uint32_t *out);
void spsr_set_in(uint32_t mode, uint32_t value);
uint32_t spsr_get_in(uint32_t mode);
uint32_t flags_across_modes(void);
uint32_t subs_return(void);
void user_roundtrip(uint32_t *out);
void user_bank_io(uint32_t *io);
uint32_t exc_to_svc(uint32_t mode);
uint32_t ldm_return(uint32_t *frame);
extern char user_back[];

static uint32_t swi_imm;

void guest_exception(uint32_t kind, uint32_t *regs)
{
    if (kind != 2) {
        guest_printf("unexpected exception %u at %08x\n", kind, regs[13]);
        guest_exit(1);
    }
    swi_imm = *(const uint32_t *)(regs[13] - 4) & 0xffffff;
    if (swi_imm == 0x42) {           /* from User mode: resume in SVC mode at user_back */
        spsr_write(0x600000d3);
        regs[13] = (uint32_t)user_back;
    }
}

static const uint32_t modes[] = { MODE_FIQ, MODE_IRQ, MODE_ABT, MODE_UND, MODE_SYS };
static const char *const names[] = { "fiq", "irq", "abt", "und", "sys" };

int main(void)
{
    uint32_t r[7], u[4], io[4];

    guest_install_vectors();
    guest_printf("svc cpsr %08x\n", cpsr_read());
    for (unsigned i = 0; i < 5; i++)
        bank_set(modes[i] | PSR_IF, 0x1000 * (i + 1));
    for (unsigned i = 0; i < 5; i++) {
        bank_get(modes[i] | PSR_IF, r);
        guest_printf("%s sp %08x lr %08x", names[i], r[5], r[6]);
        if (modes[i] == MODE_FIQ)
            guest_printf(" r8-r12 %x %x %x %x %x", r[0], r[1], r[2], r[3], r[4]);
        guest_printf("\n");
    }
    for (unsigned i = 0; i < 4; i++)
        spsr_set_in(modes[i] | PSR_IF, (i << 28) | 0x10 | (i << 6));
    spsr_write(0x80000013);
    for (unsigned i = 0; i < 4; i++)
        guest_printf("%s spsr %08x\n", names[i], spsr_get_in(modes[i] | PSR_IF));
    guest_printf("svc spsr %08x\n", spsr_read());
    guest_printf("flags in irq mode %08x, back in svc %08x\n", flags_across_modes(), cpsr_read());
    guest_printf("after subs pc, lr, #4: cpsr %08x\n", subs_return());
    for (unsigned i = 1; i < 4; i++)   /* IRQ, ABT, UND */
        guest_printf("movs pc, lr from %s to svc: cpsr %08x (bit 8: svc sp kept)\n", names[i],
                     exc_to_svc(modes[i] | PSR_IF));

    guest_setup_stacks();   /* the user stack comes from SYS mode */
    user_roundtrip(u);
    guest_printf("user cpsr %08x, after msr cpsr_c %08x and %08x, back in svc %08x, swi #%x\n",
                 u[0], u[1], u[3], u[2], swi_imm);
    __asm__ volatile("svc #0x17" ::: "lr", "memory");
    guest_printf("swi from svc #%x\n", swi_imm);

    bank_set(MODE_SYS | PSR_IF, 0x7000);
    io[2] = 0xaaaa0001;
    io[3] = 0xaaaa0002;
    user_bank_io(io);
    bank_get(MODE_SYS | PSR_IF, r);
    guest_printf("stm^ stored %08x %08x; ldm^ loaded sp %08x lr %08x\n", io[0], io[1], r[5], r[6]);
    /* An exception return's frame across a page boundary (the VMM reads it a page at a time):
     * 6 words in one page, 8 in the next. */
    static uint32_t pages[2 * 1024] __attribute__((aligned(4096)));
    uint32_t *frame = &pages[1024 - 6], sum = 0;
    for (unsigned i = 0; i < 13; i++) {
        frame[i] = 0x01010101u * (i + 1) + i;
        sum += frame[i];
    }
    guest_printf("ldm {r0-r12, pc}^ across a page: sum %08x (expected %08x)\n", ldm_return(frame),
                 sum);
    return 0;
}
