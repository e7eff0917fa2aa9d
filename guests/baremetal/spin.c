/* Never ends: for --timeout. */
#include "guest.h"

int main(void)
{
    guest_puts("spinning\n");
    for (;;)
        __asm__ volatile("" ::: "memory");
}
