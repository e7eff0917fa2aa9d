/* User-mode reads of kernel memory (kernel text at 0xc0008000, the linear map at 0xc0000000,
 * the kernel's own data through the address of a kernel-only page) must fault with SIGSEGV.
 * Never writes: where they do not fault, a write would corrupt the kernel.
 * Native result depends on the kernel configuration: on ARMv5 (CONFIG_CPU_USE_DOMAINS) with
 * CONFIG_CPU_SW_DOMAIN_PAN=n, Linux 6.1 leaves the kernel domain at Manager (DACR_INIT) in user
 * mode too, so these reads succeed (see tests.alt.expected); with PAN=y they fault. */
#include "check.h"
#include <setjmp.h>
#include <signal.h>

static sigjmp_buf env;
static volatile void *fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    fault_addr = si->si_addr;
    siglongjmp(env, 1);
}

int main(void)
{
    static const unsigned long addrs[] = { 0xc0008000u, 0xc0000000u, 0xc0100000u };
    struct sigaction sa;

    test_name = "kaccess";
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL))
        fail("sigaction: %s", strerror(errno));
    for (unsigned i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        volatile unsigned char *p = (volatile unsigned char *)addrs[i];
        if (sigsetjmp(env, 1) == 0) {
            (void)*p;
            fail("user mode read kernel memory at 0x%08lx", addrs[i]);
        }
        if (fault_addr != (void *)p)
            fail("fault address %p, expected 0x%08lx", (void *)fault_addr, addrs[i]);
    }
    pass();
}
