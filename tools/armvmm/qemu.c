#include "qemu.h"

#include "exitcodes.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *qemu_binary(void)
{
    const char *q = getenv("ARMVMM_QEMU");
    return q && *q ? q : "qemu-system-arm";
}

void qemu_cmd_add(struct qemu_cmd *c, const char *arg)
{
    if (c->argc == QEMU_MAX_ARGS) {
        fprintf(stderr, "armvmm: too many QEMU arguments\n");
        exit(ARMVMM_EXIT_NOT_STARTED);
    }
    c->argv[c->argc++] = arg;
    c->argv[c->argc] = NULL;
}

void qemu_cmd_addf(struct qemu_cmd *c, const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        perror("armvmm");
        exit(ARMVMM_EXIT_NOT_STARTED);
    }
    va_end(ap);
    c->owned[c->nr_owned++] = s;
    qemu_cmd_add(c, s);
}

void qemu_cmd_init(struct qemu_cmd *c, unsigned mem_mb, bool icount, bool gdb)
{
    *c = (struct qemu_cmd){ .argc = 0 };
    qemu_cmd_add(c, qemu_binary());
    qemu_cmd_add(c, "-M");
    qemu_cmd_add(c, "integratorcp");
    qemu_cmd_add(c, "-cpu");
    qemu_cmd_add(c, "arm926");
    qemu_cmd_add(c, "-m");
    qemu_cmd_addf(c, "%u", mem_mb);
    /* UART0 on the terminal (Ctrl-A x quits, as with -nographic); nothing else on stdout. */
    qemu_cmd_add(c, "-nodefaults");
    /* A guest's reset (Linux `reboot -f`) ends QEMU with status 0 instead of rebooting. */
    qemu_cmd_add(c, "-no-reboot");
    qemu_cmd_add(c, "-display");
    qemu_cmd_add(c, "none");
    /* The first -serial is UART0; run.c adds a second one after this for UART1 (--serial1). */
    qemu_cmd_add(c, "-serial");
    qemu_cmd_add(c, "mon:stdio");
    /* The board's AACI wants an audio backend: a silent one, so QEMU prints no warnings. */
    qemu_cmd_add(c, "-audiodev");
    qemu_cmd_add(c, "none,id=snd0");
    qemu_cmd_add(c, "-global");
    qemu_cmd_add(c, "pl041.audiodev=snd0");
    qemu_cmd_add(c, "-accel");
    qemu_cmd_add(c, "tcg,thread=single");
    /* Semihosting serves privileged code only (never userspace=on): the guest's exit natively,
     * the VMM's log and exit under the VMM. */
    qemu_cmd_add(c, "-semihosting-config");
    qemu_cmd_add(c, "enable=on,target=native");
    if (icount) {
        qemu_cmd_add(c, "-icount");
        qemu_cmd_add(c, "shift=0,sleep=off");
    }
    if (gdb) {
        qemu_cmd_add(c, "-s");
        qemu_cmd_add(c, "-S");
    }
}

void qemu_cmd_free(struct qemu_cmd *c)
{
    for (int i = 0; i < c->nr_owned; i++)
        free(c->owned[i]);
    c->nr_owned = 0;
}

static volatile sig_atomic_t got_alarm, got_term;

static void on_alarm(int sig)
{
    (void)sig;
    got_alarm = 1;
}

static void on_term(int sig)
{
    got_term = sig;
}

static int wait_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int qemu_run(struct qemu_cmd *c, unsigned timeout_s, int timeout_status)
{
    struct sigaction sa = { .sa_handler = on_alarm }, st = { .sa_handler = on_term };
    int status;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        perror("armvmm: fork");
        return ARMVMM_EXIT_NOT_STARTED;
    }
    if (pid == 0) {
        execvp(c->argv[0], (char *const *)c->argv);
        fprintf(stderr, "armvmm: cannot run %s: %s\n", c->argv[0], strerror(errno));
        _exit(ARMVMM_EXIT_NOT_STARTED);
    }
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGTERM, &st, NULL);
    sigaction(SIGHUP, &st, NULL);
    if (timeout_s)
        alarm(timeout_s);
    for (;;) {
        if (waitpid(pid, &status, 0) == pid)
            break;
        if (errno != EINTR)
            return ARMVMM_EXIT_NOT_STARTED;
        if (got_term)
            kill(pid, SIGTERM);
        if (got_alarm) {
            /* SIGTERM first: QEMU then restores the terminal it put in raw mode. */
            kill(pid, SIGTERM);
            sleep(1);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fprintf(stderr, "armvmm: timeout: stopped the guest after %u s\n", timeout_s);
            return timeout_status;
        }
    }
    alarm(0);
    return wait_status(status);
}
