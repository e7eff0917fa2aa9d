/* Bad memory accesses must raise SIGSEGV with the right fault address:
 *  - a NULL write kills a child by default (WTERMSIG == SIGSEGV);
 *  - with a handler: NULL read (SEGV_MAPERR, si_addr 0), write to a read-only page
 *    (SEGV_ACCERR), a user read of 0xfff00000 (the window the kernel leaves unused, where the
 *    VMM lives), all recovered with siglongjmp.
 * Kernel memory itself is probed by kaccess.c (its result depends on the kernel config). */
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile siginfo_t last;
static volatile int hits;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    last = *si;
    hits++;
    siglongjmp(env, 1);
}

static void expect_fault(const char *what, volatile unsigned char *addr, int do_write, int code)
{
    int before = hits;

    if (sigsetjmp(env, 1) == 0) {
        if (do_write)
            *addr = 1;
        else
            (void)*addr;
        fail("%s at %p did not fault", what, (void *)addr);
    }
    if (hits != before + 1)
        fail("%s: handler ran %d times", what, hits - before);
    if (last.si_signo != SIGSEGV)
        fail("%s: signal %d, expected SIGSEGV", what, last.si_signo);
    if (last.si_addr != (void *)addr)
        fail("%s: si_addr %p, expected %p", what, last.si_addr, (void *)addr);
    if (code && last.si_code != code)
        fail("%s: si_code %d, expected %d", what, last.si_code, code);
}

int main(void)
{
    test_name = "segv";

    pid_t pid = fork();
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0) {
        *(volatile int *)0 = 42;
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        fail("waitpid: %s", strerror(errno));
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
        fail("NULL write: child status 0x%x, expected death by SIGSEGV", st);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL))
        fail("sigaction: %s", strerror(errno));

    expect_fault("NULL read", (volatile unsigned char *)0, 0, SEGV_MAPERR);
    expect_fault("NULL write", (volatile unsigned char *)0, 1, SEGV_MAPERR);

    unsigned char *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                             -1, 0);
    if (ro == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    ro[0] = 7;
    if (mprotect(ro, 4096, PROT_READ))
        fail("mprotect: %s", strerror(errno));
    expect_fault("read-only write", ro + 16, 1, SEGV_ACCERR);
    if (ro[16] != 0 || ro[0] != 7)
        fail("read-only page changed");

    expect_fault("high window read", (volatile unsigned char *)0xfff00000u, 0, 0);
    printf("segv: %d faults caught\n", hits);
    pass();
}
