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

extern const uint32_t guest_vector_table[], guest_vector_table_end[];

void guest_install_vectors(void)
{
    volatile uint32_t *low = (volatile uint32_t *)0;
    for (const uint32_t *w = guest_vector_table; w < guest_vector_table_end; w++)
        *low++ = *w;
}

void guest_set_vector(uint32_t kind, void (*handler)(void))
{
    /* The table's words after the eight `ldr pc, [pc, #24]`: the handlers' addresses. */
    volatile uint32_t *word;
    __asm__("" : "=r"(word) : "0"(0x20u + 4u * kind));   /* (an address, not a null pointer) */
    *word = (uint32_t)handler;
}

/* A stack of its own for every exception mode; SVC keeps the start-up stack. */
static uint32_t mode_stacks[5][256] __attribute__((aligned(8)));

#define SET_MODE_STACK(mode, top)                                                   \
    __asm__ volatile("mrs r3, cpsr\n"                                              \
                     "msr cpsr_c, %0\n"                                            \
                     "mov sp, %1\n"                                                \
                     "msr cpsr_c, r3\n" ::"r"(mode), "r"(top) : "r3", "memory")

void guest_setup_stacks(void)
{
    static const uint32_t modes[5] = { 0xd1, 0xd2, 0xd7, 0xdb, 0xdf }; /* FIQ IRQ ABT UND SYS */
    for (unsigned i = 0; i < 5; i++)
        SET_MODE_STACK(modes[i], &mode_stacks[i][256]);
}

/* Guests that expect no exception get this one: say so and fail. */
__attribute__((weak)) void guest_exception(uint32_t kind, uint32_t *regs)
{
    guest_printf("unexpected exception %u, return address %08x\n", kind, regs[13]);
    guest_exit(1);
}
