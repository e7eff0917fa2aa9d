/* Exceptions and returns: undefined instructions (permanently undefined, missing coprocessor,
 * failed condition), SWI immediates, BKPT (a prefetch abort on ARMv5), each handled by the
 * guest's own vectors and returned from with LDM^.  Identical on the bare board and in a VM. */
#include "cpu.h"
#include "guest.h"

static const char *const kinds[] = { "reset", "und", "swi", "pabt", "dabt", "?", "irq", "fiq" };
static unsigned count;

void guest_exception(uint32_t kind, uint32_t *regs)
{
    uint32_t at = regs[13] - 4, insn = *(const uint32_t *)at;

    count++;
    guest_printf("  %s at +%x: insn %08x, spsr %08x", kinds[kind & 7], at - 0x10000, insn,
                 spsr_read());
    if (kind == 3)
        guest_printf(", ifsr %x", CP15_READ(c5, 0, c0, 1) & 0xf);
    guest_printf("\n");
}

int main(void)
{
    guest_install_vectors();
    guest_setup_stacks();

    guest_printf("udf:\n");
    __asm__ volatile(".word 0xe7f000f0" ::: "memory");
    guest_printf("missing coprocessor p5:\n");
    __asm__ volatile("mcr p5, 0, r0, c0, c0, 0" ::: "memory");
    guest_printf("cp15 with an unused opcode:\n");
    __asm__ volatile("mcr p15, 7, r0, c15, c15, 7" ::: "memory");
    guest_printf("failed condition (nothing happens):\n");
    __asm__ volatile("movs r0, #0\n"
                     "mcrne p5, 0, r0, c0, c0, 0\n"
                     "svcne #1\n" ::: "r0", "cc", "memory");
    guest_printf("swi:\n");
    __asm__ volatile("svc #0\n"
                     "svc #0xabcdef\n"
                     "movs r0, #1\n"
                     "svcne #0x123\n" ::: "r0", "lr", "cc", "memory");
    guest_printf("bkpt:\n");
    __asm__ volatile("bkpt #0x1234" ::: "memory");
    guest_printf("%u exceptions, cpsr %08x\n", count, cpsr_read());
    return 0;
}
