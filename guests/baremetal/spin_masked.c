/* A VM that never yields: it spins forever with IRQs and FIQs masked (for the scheduler test:
 * the others must still get the core). */
#include "guest.h"

int main(void)
{
    guest_puts("spinning with interrupts masked\n");
    __asm__ volatile("msr cpsr_c, #0xd3" ::: "memory");
    for (;;)
        __asm__ volatile("" ::: "memory");
}
