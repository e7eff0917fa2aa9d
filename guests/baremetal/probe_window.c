/* Isolation probe: reads the VMM's window and the VMM's vectors page.  On the bare board these
 * addresses hold nothing (reads give 0); under the VMM the guest must never see VMM bytes. */
#include "guest.h"

int main(void)
{
    static const uintptr_t probes[] = { 0xfff00000u, 0xfff01000u, 0xffff0000u };

    for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        guest_printf("read %08x: ", (uint32_t)probes[i]);
        guest_printf("%08x\n", guest_read32(probes[i]));
    }
    return 0;
}
