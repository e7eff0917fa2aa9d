/* Misbehaviour: jumps into the VMM's window.  Natively there is nothing at 0xfff00000 (the
 * board reads zero: an endless run of `andeq r0, r0, r0`); under the VMM the fetch can never be
 * given to the guest, so the VM is stopped with a message, and other VMs carry on. */
#include "guest.h"

int main(void)
{
    guest_puts("jumping to 0xfff00000\n");
    ((void (*)(void))0xfff00000u)();
    return 0;
}
