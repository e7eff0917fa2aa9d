#include "semihost.h"

#include "bootinfo.h"

static uint32_t semihost_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    /* QEMU intercepts this SVC from a privileged mode; lr is listed in case it ever did not. */
    __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory", "lr");
    return r0;
}

void semihost_write0(const char *s)
{
    semihost_call(SEMIHOST_SYS_WRITE0, s);
}

_Noreturn void semihost_exit(uint32_t status)
{
    const uint32_t block[2] = { SEMIHOST_ADP_APP_EXIT, status };
    for (;;)
        semihost_call(SEMIHOST_SYS_EXIT_EXTENDED, block);
}
