/* The board's second UART (UART1, 0x17000000, interrupt 2): its PrimeCell IDs and flags, text
 * written to it with word, halfword and byte stores, and its transmit interrupt taken as an IRQ.
 * Run with `armvmm run --serial1 FILE`: FILE receives the text, the console (UART0) the facts;
 * both must be identical natively, under the VMM with UART1 emulated, and with
 * `--passthrough uart1` (the real UART1 mapped into the VM, its interrupt routed to it). */
#include "cpu.h"
#include "guest.h"

#define UART1          0x17000000u
#define UART_DR        0x00u
#define UART_FR        0x18u
#define UART_CR        0x30u
#define UART_IMSC      0x38u
#define UART_RIS       0x3cu
#define UART_MIS       0x40u
#define UART_ICR       0x44u
#define UART_INT_TX    (1u << 5)

#define PIC            0x14000000u
#define PIC_IRQ_STATUS 0x00u
#define PIC_IRQ_RAW    0x04u
#define PIC_IRQ_ENSET  0x08u
#define PIC_IRQ_ENCLR  0x0cu
#define IRQ_UART1      (1u << 2)

static uint32_t rd(uint32_t addr)
{
    return *(volatile uint32_t *)addr;
}

static void wr(uint32_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

static void uart1_putc(char c)
{
    while (rd(UART1 + UART_FR) & (1u << 5))   /* TXFF */
        ;
    wr(UART1 + UART_DR, (uint8_t)c);
}

static void uart1_puts(const char *s)
{
    while (*s)
        uart1_putc(*s++);
}

static volatile uint32_t irqs, irq_pic_status, irq_mis, irq_mode;

void guest_exception(uint32_t kind, uint32_t *regs)
{
    if (kind != 6) {
        guest_printf("unexpected exception %u at %08x\n", kind, regs[13]);
        guest_exit(1);
    }
    irq_pic_status = rd(PIC + PIC_IRQ_STATUS);
    irq_mis = rd(UART1 + UART_MIS);
    irq_mode = spsr_read() & 0x1f;
    if (irq_pic_status & IRQ_UART1)
        wr(UART1 + UART_ICR, UART_INT_TX);
    else   /* nothing to clear: do not come back forever */
        wr(PIC + PIC_IRQ_ENCLR, irq_pic_status);
    irqs++;
}

int main(void)
{
    char line[] = "uart1 line N: the quick brown fox jumps over the lazy dog\n";
    uint32_t id[2] = { 0, 0 };

    guest_install_vectors();
    guest_setup_stacks();

    for (unsigned i = 0; i < 8; i++)
        id[i / 4] |= (rd(UART1 + 0xfe0 + 4 * i) & 0xff) << (8 * (i % 4));
    guest_printf("uart1 periph id %08x, cell id %08x\n", id[0], id[1]);
    guest_printf("uart1 fr %08x cr %08x ris %08x imsc %08x\n", rd(UART1 + UART_FR),
                 rd(UART1 + UART_CR), rd(UART1 + UART_RIS), rd(UART1 + UART_IMSC));

    for (char n = '1'; n <= '5'; n++) {
        line[11] = n;
        uart1_puts(line);
    }
    for (unsigned c = 0x20; c < 0x7f; c++)
        uart1_putc((char)c);
    uart1_putc('\n');
    /* Byte and halfword stores to the data register: the low byte is sent. */
    *(volatile uint8_t *)(UART1 + UART_DR) = 'b';
    *(volatile uint16_t *)(UART1 + UART_DR) = 0x4168;   /* 'h' */
    uart1_puts("\nend of uart1 text\n");
    guest_printf("uart1 after writing: fr %08x ris %08x, pic raw %08x\n", rd(UART1 + UART_FR),
                 rd(UART1 + UART_RIS), rd(PIC + PIC_IRQ_RAW) & IRQ_UART1);

    /* The transmit interrupt (raised by every write, until cleared): routed through the
     * controller's line 2 and taken as an IRQ once the CPSR allows it. */
    wr(PIC + PIC_IRQ_ENSET, IRQ_UART1);
    wr(UART1 + UART_IMSC, UART_INT_TX);
    guest_printf("tx interrupt enabled: uart1 mis %08x, pic status %08x\n", rd(UART1 + UART_MIS),
                 rd(PIC + PIC_IRQ_STATUS));
    __asm__ volatile("msr cpsr_c, #0x53\n"
                     "msr cpsr_c, #0xd3\n" ::: "memory", "cc");
    guest_printf("uart1 irq: taken %u, pic status in handler %08x, mis %08x, from mode %x; "
                 "now pic status %08x ris %08x\n",
                 irqs, irq_pic_status, irq_mis, irq_mode, rd(PIC + PIC_IRQ_STATUS),
                 rd(UART1 + UART_RIS));

    /* One more character: the interrupt comes back and is taken again. */
    uart1_putc('!');
    uart1_putc('\n');
    __asm__ volatile("msr cpsr_c, #0x53\n"
                     "msr cpsr_c, #0xd3\n" ::: "memory", "cc");
    guest_printf("after another write: taken %u, pic status %08x\n", irqs,
                 rd(PIC + PIC_IRQ_STATUS));
    wr(UART1 + UART_IMSC, 0);
    wr(PIC + PIC_IRQ_ENCLR, IRQ_UART1);
    guest_printf("done\n");
    return 0;
}
