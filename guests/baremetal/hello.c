/* The demo guest: prints a greeting and some arithmetic, exits 0. */
#include "guest.h"

int main(void)
{
    uint32_t a = 1, b = 1;

    guest_puts("Hello from an armvmm bare-metal guest!\n");
    for (int i = 0; i < 10; i++) {
        uint32_t c = a + b;
        a = b;
        b = c;
    }
    guest_printf("fib(12) = %u, 1000000/7 = %u, hex %08x\n", b, 1000000u / 7, 0xc0ffee);
    guest_puts("bye\n");
    return 0;
}
