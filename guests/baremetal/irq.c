/* Interrupts on the Integrator/CP: the primary interrupt controller's soft interrupt taken as IRQ
 * and as FIQ (and FIQ before IRQ when both are pending), a source pending while the CPSR masks
 * it and taken as soon as `msr cpsr_c` unmasks it, an interrupt taken in User mode, timer 1 in
 * periodic mode counting ticks with WFI, and WFI with IRQs masked waking on a pending interrupt.
 * Only deterministic facts are printed (counts, status bits, modes), never timer values: the
 * output must be identical on the bare board and under the VMM. */
#include "cpu.h"
#include "guest.h"

#define PIC              0x14000000u
#define PIC_IRQ_STATUS   0x00u
#define PIC_IRQ_RAW      0x04u
#define PIC_IRQ_ENSET    0x08u
#define PIC_IRQ_ENCLR    0x0cu
#define PIC_SOFT_SET     0x10u
#define PIC_SOFT_CLR     0x14u
#define PIC_FIQ_STATUS   0x20u
#define PIC_FIQ_ENSET    0x28u
#define PIC_FIQ_ENCLR    0x2cu

#define TIMER1           0x13000100u
#define TIMER_LOAD       0x00u
#define TIMER_CTRL       0x08u
#define TIMER_INTCLR     0x0cu
#define TIMER_RIS        0x10u
#define TIMER_ONESHOT    (1u << 0)
#define TIMER_32BIT      (1u << 1)
#define TIMER_IE         (1u << 5)
#define TIMER_PERIODIC   (1u << 6)
#define TIMER_ENABLE     (1u << 7)

#define IRQ_SOFT         (1u << 0)
#define IRQ_TIMER1       (1u << 6)

#define TICK_US          5000u
#define TICKS            10u

static void wr(uint32_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

static uint32_t rd(uint32_t addr)
{
    return *(volatile uint32_t *)addr;
}

/* CPSR control field: SVC mode with the given I/F mask bits (plain MSR: trapped or patched under
 * the VMM). */
#define SET_CPSR_C(imm) __asm__ volatile("msr cpsr_c, #" #imm ::: "memory", "cc")

static inline void wfi(void)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c0, 4" ::"r"(0) : "memory");
}

/* What the handlers saw, printed by main afterwards. */
static volatile uint32_t irq_count, fiq_count, timer_ticks;
static volatile uint32_t last_irq_status, last_fiq_status, last_spsr_mode, last_cpsr_mode;
static char order[16];
static volatile unsigned order_len;
static volatile uint32_t swi_imm;

/* void user_irq(void): enter User mode with IRQs enabled, raise the soft interrupt from there,
 * spin until the IRQ handler has counted it, then `svc #0x55`; the SWI handler resumes in SVC
 * mode at user_irq_back. */
__asm__(".text\n"
        ".global user_irq, user_irq_back\n"
        "user_irq:\n"
        "  push {r4-r12, lr}\n"
        "  ldr r4, =irq_count\n"
        "  ldr r5, [r4]\n"
        "  mov r0, #0x10\n"
        "  msr spsr_cxsf, r0\n"
        "  adr lr, 1f\n"
        "  movs pc, lr\n"
        "1:ldr r0, =0x14000010\n"
        "  mov r1, #1\n"
        "  str r1, [r0]\n"
        "2:ldr r1, [r4]\n"
        "  cmp r1, r5\n"
        "  beq 2b\n"
        "  svc #0x55\n"
        "user_irq_back:\n"
        "  pop {r4-r12, pc}\n");

void user_irq(void);
extern char user_irq_back[];

static void note(char c)
{
    if (order_len < sizeof(order) - 1)
        order[order_len++] = c;
}

void guest_exception(uint32_t kind, uint32_t *regs)
{
    switch (kind) {
    case 2:   /* SWI */
        swi_imm = *(const uint32_t *)(regs[13] - 4) & 0xffffff;
        if (swi_imm == 0x55) {   /* back from User mode: SVC mode, IRQ and FIQ masked */
            spsr_write(MODE_SVC | PSR_IF);
            regs[13] = (uint32_t)user_irq_back;
        }
        return;
    case 6:   /* IRQ */
        last_irq_status = rd(PIC + PIC_IRQ_STATUS);
        last_spsr_mode = spsr_read() & 0x1f;
        last_cpsr_mode = cpsr_read() & 0x1f;
        if (last_irq_status & IRQ_SOFT)
            wr(PIC + PIC_SOFT_CLR, 1);
        if (last_irq_status & IRQ_TIMER1) {
            wr(TIMER1 + TIMER_INTCLR, 1);
            timer_ticks++;
        }
        irq_count++;
        note('I');
        return;
    case 7:   /* FIQ */
        last_fiq_status = rd(PIC + PIC_FIQ_STATUS);
        last_spsr_mode = spsr_read() & 0x1f;
        last_cpsr_mode = cpsr_read() & 0x1f;
        if (last_fiq_status & IRQ_SOFT)
            wr(PIC + PIC_SOFT_CLR, 1);
        fiq_count++;
        note('F');
        return;
    default:
        guest_printf("unexpected exception %u at %08x\n", kind, regs[13]);
        guest_exit(1);
    }
}

static void reset_log(void)
{
    irq_count = fiq_count = 0;
    last_irq_status = last_fiq_status = last_spsr_mode = last_cpsr_mode = 0;
    order_len = 0;
}

static const char *order_str(void)
{
    order[order_len] = '\0';
    return order;
}

static void soft_as_irq(void)
{
    reset_log();
    wr(PIC + PIC_IRQ_ENSET, IRQ_SOFT);
    wr(PIC + PIC_SOFT_SET, 1);
    guest_printf("soft irq: softset %x raw %08x irq status %08x fiq status %08x\n",
                 rd(PIC + PIC_SOFT_SET), rd(PIC + PIC_IRQ_RAW), rd(PIC + PIC_IRQ_STATUS),
                 rd(PIC + PIC_FIQ_STATUS));
    SET_CPSR_C(0x53);   /* IRQ unmasked */
    SET_CPSR_C(0xd3);
    guest_printf("  taken: irq %u fiq %u, status in handler %08x, handler mode %x, from mode %x, "
                 "raw after %08x\n",
                 irq_count, fiq_count, last_irq_status, last_cpsr_mode, last_spsr_mode,
                 rd(PIC + PIC_IRQ_RAW));
    wr(PIC + PIC_IRQ_ENCLR, IRQ_SOFT);
}

static void soft_as_fiq(void)
{
    reset_log();
    wr(PIC + PIC_FIQ_ENSET, IRQ_SOFT);
    wr(PIC + PIC_SOFT_SET, 1);
    guest_printf("soft fiq: irq status %08x fiq status %08x fiq enable %08x\n",
                 rd(PIC + PIC_IRQ_STATUS), rd(PIC + PIC_FIQ_STATUS), rd(PIC + PIC_FIQ_ENSET));
    SET_CPSR_C(0x93);   /* FIQ unmasked */
    SET_CPSR_C(0xd3);
    guest_printf("  taken: irq %u fiq %u, status in handler %08x, handler mode %x, from mode %x\n",
                 irq_count, fiq_count, last_fiq_status, last_cpsr_mode, last_spsr_mode);

    /* Enabled on both sides and both unmasked at once: the FIQ wins, its handler lowers the
     * source, so no IRQ follows. */
    reset_log();
    wr(PIC + PIC_IRQ_ENSET, IRQ_SOFT);
    wr(PIC + PIC_SOFT_SET, 1);
    SET_CPSR_C(0x13);
    SET_CPSR_C(0xd3);
    guest_printf("both sides: order \"%s\"\n", order_str());
    wr(PIC + PIC_FIQ_ENCLR, IRQ_SOFT);
    wr(PIC + PIC_IRQ_ENCLR, IRQ_SOFT);
}

static void pending_while_masked(void)
{
    volatile uint32_t sink = 0;
    uint32_t before, right_after;

    reset_log();
    wr(PIC + PIC_IRQ_ENSET, IRQ_SOFT);
    wr(PIC + PIC_SOFT_SET, 1);
    for (unsigned i = 0; i < 1000; i++)
        sink += i;
    before = irq_count;
    guest_printf("masked: after work irq %u, status %08x, cpsr mode %x I=%u\n", before,
                 rd(PIC + PIC_IRQ_STATUS), cpsr_read() & 0x1f, (cpsr_read() >> 7) & 1);
    __asm__ volatile("msr cpsr_c, #0x53\n"
                     "ldr %0, [%1]\n"
                     : "=&r"(right_after)
                     : "r"(&irq_count)
                     : "memory", "cc");
    SET_CPSR_C(0xd3);
    guest_printf("  unmasked: irq count at the next instruction %u, status in handler %08x\n",
                 right_after, last_irq_status);
    wr(PIC + PIC_IRQ_ENCLR, IRQ_SOFT);
}

static void irq_in_user_mode(void)
{
    reset_log();
    wr(PIC + PIC_IRQ_ENSET, IRQ_SOFT);
    user_irq();
    guest_printf("user mode: irq %u, taken from mode %x into mode %x, swi #%x, back in mode %x\n",
                 irq_count, last_spsr_mode, last_cpsr_mode, swi_imm, cpsr_read() & 0x1f);
    wr(PIC + PIC_IRQ_ENCLR, IRQ_SOFT);
}

static void timer_periodic_wfi(void)
{
    unsigned wfis = 0;

    reset_log();
    timer_ticks = 0;
    wr(PIC + PIC_IRQ_ENSET, IRQ_TIMER1);
    wr(TIMER1 + TIMER_CTRL, 0);
    wr(TIMER1 + TIMER_INTCLR, 1);
    wr(TIMER1 + TIMER_LOAD, TICK_US);
    wr(TIMER1 + TIMER_CTRL, TIMER_ENABLE | TIMER_PERIODIC | TIMER_IE | TIMER_32BIT);
    /* IRQs enabled: each WFI ends when the next tick is taken. */
    SET_CPSR_C(0x53);
    while (timer_ticks < TICKS)
        wfi();
    SET_CPSR_C(0xd3);
    guest_printf("timer periodic, IRQs enabled: %u ticks, status in handler %08x, mode %x from %x\n",
                 timer_ticks, last_irq_status, last_cpsr_mode, last_spsr_mode);

    /* The race-free form: mask, check, WFI (wakes although masked), unmask to take it. */
    timer_ticks = 0;
    while (timer_ticks < TICKS) {
        wfi();
        wfis++;
        SET_CPSR_C(0x53);
        SET_CPSR_C(0xd3);
    }
    guest_printf("timer periodic, masked WFI then unmask: %u ticks in %u WFIs\n", timer_ticks,
                 wfis);
    wr(TIMER1 + TIMER_CTRL, 0);
    wr(TIMER1 + TIMER_INTCLR, 1);
    wr(PIC + PIC_IRQ_ENCLR, IRQ_TIMER1);
}

static void wfi_masked_wakes(void)
{
    uint32_t taken_before, status;

    reset_log();
    timer_ticks = 0;
    wr(PIC + PIC_IRQ_ENSET, IRQ_TIMER1);
    wr(TIMER1 + TIMER_CTRL, 0);
    wr(TIMER1 + TIMER_INTCLR, 1);
    wr(TIMER1 + TIMER_LOAD, 5000);
    wr(TIMER1 + TIMER_CTRL, TIMER_ENABLE | TIMER_ONESHOT | TIMER_IE | TIMER_32BIT);
    wfi();   /* IRQ and FIQ masked in the CPSR */
    status = rd(PIC + PIC_IRQ_STATUS);
    taken_before = irq_count;
    guest_printf("wfi with I masked woke: status %08x, timer ris %u, taken while masked %u\n",
                 status, rd(TIMER1 + TIMER_RIS), taken_before);
    SET_CPSR_C(0x53);
    SET_CPSR_C(0xd3);
    guest_printf("  after unmask: irq %u, ticks %u, status now %08x\n", irq_count, timer_ticks,
                 rd(PIC + PIC_IRQ_STATUS));
    wr(TIMER1 + TIMER_CTRL, 0);
    wr(PIC + PIC_IRQ_ENCLR, IRQ_TIMER1);

    /* A soft interrupt already pending: WFI returns at once, masked or not. */
    reset_log();
    wr(PIC + PIC_IRQ_ENSET, IRQ_SOFT);
    wr(PIC + PIC_SOFT_SET, 1);
    wfi();
    guest_printf("wfi with a pending soft interrupt returned, taken %u\n", irq_count);
    SET_CPSR_C(0x53);
    SET_CPSR_C(0xd3);
    guest_printf("  after unmask: irq %u\n", irq_count);
    wr(PIC + PIC_IRQ_ENCLR, IRQ_SOFT);
}

int main(void)
{
    guest_install_vectors();
    guest_setup_stacks();
    guest_printf("irq guest: cpsr %08x, pic irq status %08x enable %08x, fiq enable %08x\n",
                 cpsr_read(), rd(PIC + PIC_IRQ_STATUS), rd(PIC + PIC_IRQ_ENSET),
                 rd(PIC + PIC_FIQ_ENSET));
    soft_as_irq();
    soft_as_fiq();
    pending_while_masked();
    irq_in_user_mode();
    timer_periodic_wfi();
    wfi_masked_wakes();
    guest_printf("done: cpsr %08x, pic irq status %08x raw %08x\n", cpsr_read(),
                 rd(PIC + PIC_IRQ_STATUS), rd(PIC + PIC_IRQ_RAW));
    return 0;
}
