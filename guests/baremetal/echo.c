/* The echo guest: reads lines from UART0 (the terminal) and writes each back prefixed with
 * "echo: ", until a line "quit".  While the receive FIFO is empty it waits with WFI for UART0's
 * receive interrupt (enabled in the UART and the interrupt controller, masked in the CPSR: WFI
 * wakes on a pending interrupt anyway), so a VM waiting for input costs the VMM nothing.
 * Carriage returns are dropped; lines are cut at LINE_MAX characters. */
#include "guest.h"

#define UART0        0x16000000u
#define UART_DR      0x00u
#define UART_FR      0x18u
#define UART_IMSC    0x38u
#define UART_FR_RXFE (1u << 4)
#define UART_INT_RX  (1u << 4)
#define PIC_IRQ_ENSET 0x14000008u
#define IRQ_UART0    (1u << 1)
#define LINE_MAX     120u

static uint32_t rd(uint32_t addr)
{
    return *(volatile uint32_t *)addr;
}

static void wr(uint32_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

static char getc_wait(void)
{
    while (rd(UART0 + UART_FR) & UART_FR_RXFE)
        __asm__ volatile("mcr p15, 0, %0, c7, c0, 4" ::"r"(0) : "memory");   /* WFI */
    return (char)(rd(UART0 + UART_DR) & 0xff);
}

static int is_quit(const char *s, unsigned n)
{
    return n == 4 && s[0] == 'q' && s[1] == 'u' && s[2] == 'i' && s[3] == 't';
}

int main(void)
{
    char line[LINE_MAX + 1];
    unsigned n = 0, lines = 0, chars = 0;

    wr(UART0 + UART_IMSC, UART_INT_RX);
    wr(PIC_IRQ_ENSET, IRQ_UART0);
    guest_puts("echo guest: type lines, \"quit\" ends\n");
    for (;;) {
        char c = getc_wait();
        chars++;
        if (c == '\r')
            continue;
        if (c != '\n') {
            if (n < LINE_MAX)
                line[n++] = c;
            continue;
        }
        if (is_quit(line, n))
            break;
        line[n] = '\0';
        lines++;
        guest_printf("echo: %s\n", line);
        n = 0;
    }
    guest_printf("bye: %u lines, %u characters\n", lines, chars);
    return 0;
}
