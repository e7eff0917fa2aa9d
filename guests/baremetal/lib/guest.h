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

static inline uint32_t guest_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}

#endif
