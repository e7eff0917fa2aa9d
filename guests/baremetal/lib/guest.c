#include "guest.h"

#include <stdarg.h>

#include "bootinfo.h"
#include "fmt.h"

#define UART0_DR   0x16000000u
#define UART0_FR   0x16000018u
#define UART_FR_TXFF (1u << 5)

void guest_putc(char c)
{
    while (guest_read32(UART0_FR) & UART_FR_TXFF)
        ;
    *(volatile uint32_t *)UART0_DR = (uint8_t)c;
}

void guest_puts(const char *s)
{
    while (*s)
        guest_putc(*s++);
}

static void putc_sink(char c, void *ctx)
{
    (void)ctx;
    guest_putc(c);
}

void guest_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(putc_sink, 0, fmt, ap);
    va_end(ap);
}

static void semihost(uint32_t op, uint32_t arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register uint32_t r1 __asm__("r1") = arg;
    __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
}

_Noreturn void guest_exit(uint32_t status)
{
    static uint32_t block[2];
    block[0] = SEMIHOST_ADP_APP_EXIT;
    block[1] = status;
    for (;;)
        semihost(SEMIHOST_SYS_EXIT_EXTENDED, (uint32_t)(uintptr_t)block);
}

_Noreturn void guest_exit_reason(uint32_t reason)
{
    for (;;)
        semihost(SEMIHOST_SYS_EXIT, reason);
}
