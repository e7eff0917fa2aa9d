/* Misbehaviour: a semihosting exit whose argument block points outside RAM.  QEMU fails the
 * call (r0 = -1) and the guest goes on; under the VMM the same must happen (the VMM's read of
 * the block aborts and is caught), never a VMM crash. */
#include "guest.h"

int main(void)
{
    guest_puts("exit with a bad block\n");
    /* SYS_EXIT_EXTENDED with r1 beyond the VM's 128 MB. */
    uint32_t r;
    __asm__ volatile("mov r0, #0x20\n"
                     "mov r1, #0x0ff00000\n"
                     "svc 0x123456\n"
                     "mov %0, r0\n"
                     : "=r"(r)::"r0", "r1", "memory");
    guest_printf("still here, the call returned %x\n", r);
    return 0;
}
