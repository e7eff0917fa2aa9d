/* Exit-status propagation: exits with the status given at build time through EXIT_HOW. */
#include "guest.h"

int main(void)
{
    guest_puts("exiting\n");
#if defined(EXIT_REASON)
    guest_exit_reason(EXIT_REASON);
#else
    guest_exit(EXIT_STATUS);
#endif
}
