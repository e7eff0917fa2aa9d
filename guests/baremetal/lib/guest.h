/* The runtime of the project's bare-metal test guests: console on UART0, semihosting exit. */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

void guest_putc(char c);
void guest_puts(const char *s);
void guest_printf(const char *fmt, ...);

/* Ends the run through semihosting: SYS_EXIT_EXTENDED with ApplicationExit and status. */
_Noreturn void guest_exit(uint32_t status);
/* SYS_EXIT with an arbitrary reason (anything but ApplicationExit ends with status 1). */
_Noreturn void guest_exit_reason(uint32_t reason);

/* Exceptions (lib/vectors.S).  kind: 0 reset, 1 UND, 2 SWI, 3 PABT, 4 DABT, 6 IRQ, 7 FIQ.
 * regs[0..12] = r0-r12 of the handler's mode, regs[13] = the return address; the handler may
 * change them.  A guest that takes exceptions defines guest_exception() and calls
 * guest_install_vectors() (low vectors at 0) and guest_setup_stacks() first. */
void guest_exception(uint32_t kind, uint32_t *regs);
void guest_install_vectors(void);
/* After guest_install_vectors(): exception `kind` goes to handler, an assembly routine of the
 * guest's own (entered as the hardware enters a vector). */
void guest_set_vector(uint32_t kind, void (*handler)(void));
void guest_setup_stacks(void);

static inline uint32_t guest_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}

#endif
