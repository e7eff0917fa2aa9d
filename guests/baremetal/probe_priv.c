/* User-mode proof: a privileged instruction (read CP15's main ID register) that works in SVC
 * mode on the bare board and must not run directly in the guest under the VMM. */
#include "guest.h"

int main(void)
{
    uint32_t id;

    guest_puts("reading CP15 main ID\n");
    __asm__ volatile("mrc p15, 0, %0, c0, c0, 0" : "=r"(id));
    guest_printf("midr %08x\n", id);
    return 0;
}
