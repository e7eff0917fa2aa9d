/* An instruction undefined on ARMv5 in User mode must raise SIGILL (ILL_ILLOPC, si_addr = the
 * instruction). 0xe7f000f0 is in the permanently undefined space; it is not one of the encodings
 * Linux claims for itself (0xe7f001f0 ptrace breakpoint -> SIGTRAP, 0xe7f001f2 BUG, 0xe7ffdefX
 * kgdb). Checked twice: default action kills a child; a handler skips the instruction. */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <unistd.h>

extern char undef_insn[];
static void __attribute__((noinline)) run_undef(void)
{
    __asm__ volatile(".arm\n\t"
                     ".global undef_insn\n"
                     "undef_insn:\n\t"
                     ".inst 0xe7f000f0\n\t" ::: "memory");
}

static volatile int hits;
static volatile siginfo_t last;

static void on_ill(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    last = *si;
    hits++;
    uc->uc_mcontext.arm_pc += 4;   /* skip the undefined instruction and carry on */
}

int main(void)
{
    test_name = "sigill";

    pid_t pid = fork();
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0) {
        run_undef();
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        fail("waitpid: %s", strerror(errno));
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGILL)
        fail("child status 0x%x, expected death by SIGILL", st);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGILL, &sa, NULL))
        fail("sigaction: %s", strerror(errno));
    for (int i = 0; i < 3; i++)
        run_undef();
    if (hits != 3)
        fail("handler ran %d times, expected 3", hits);
    if (last.si_signo != SIGILL || last.si_code != ILL_ILLOPC)
        fail("signo %d code %d, expected SIGILL/ILL_ILLOPC", last.si_signo, last.si_code);
    if (last.si_addr != (void *)undef_insn)
        fail("si_addr %p, expected %p", last.si_addr, (void *)undef_insn);
    pass();
}
