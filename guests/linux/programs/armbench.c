/* armvmm guest micro-benchmarks (the paper's four plus context switch and page fault).
 *
 *   armbench [-s DIVISOR] [all | none | NAME[=ITERATIONS] ...]
 *
 * Each benchmark prints one machine-parsable line:
 *   BENCH <name> iterations=<N> usec_per_op=<X> [warmup=<W>] [...]
 * warmup: untimed operations of the same kind run before the timed ones (the VMM's trap counts
 * per operation divide by iterations + warmup). "none" runs nothing (a baseline process).
 * Time is CLOCK_MONOTONIC; under QEMU -icount shift=0,sleep=off one guest instruction is 1 ns, so
 * usec_per_op reads as thousands of instructions per operation.
 * -s divides every default iteration count (a slow VMM run can use fewer iterations). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HELLO "/armvmm/hello"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
    printf("BENCHFAIL %s: %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

static void report(const char *name, long n, double us, const char *extra)
{
    printf("BENCH %s iterations=%ld usec_per_op=%.4f%s%s\n", name, n, us / n,
           extra ? " " : "", extra ? extra : "");
    fflush(stdout);
}

static void reap(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid)
        die("waitpid");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("BENCHFAIL child status 0x%x\n", st);
        exit(1);
    }
}

/* Null system call: getppid (not cached by glibc). */
static void b_getppid(long n)
{
    for (int i = 0; i < 1000; i++)
        getppid();
    double t0 = now_us();
    for (long i = 0; i < n; i++)
        getppid();
    report("syscall", n, now_us() - t0, "warmup=1000");
}

/* Pipe round trip: one byte to the child over one pipe and back over another. */
static void b_pipe(long n)
{
    int a[2], b[2];
    char c = 0;
    if (pipe(a) || pipe(b))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(a[1]);   /* else the parent closing its end never gives EOF here */
        close(b[0]);
        for (;;) {
            ssize_t r = read(a[0], &c, 1);
            if (r != 1)
                _exit(r == 0 ? 0 : 1);
            if (write(b[1], &c, 1) != 1)
                _exit(1);
        }
    }
    close(a[0]);
    close(b[1]);
    for (int i = 0; i < 100; i++)
        if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
            die("pipe warm-up");
    double t0 = now_us();
    for (long i = 0; i < n; i++)
        if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
            die("pipe round trip");
    double t = now_us() - t0;
    close(a[1]);
    reap(pid);
    close(b[0]);
    report("pipe", n, t, "warmup=100");
}

/* Context switch: two processes calling sched_yield, both SCHED_FIFO at one priority so that
 * every yield hands the CPU to the other (under SCHED_OTHER, CFS often lets the caller keep it).
 * A shared page counts the switches that really happened (the owner of the CPU changed), and the
 * time is divided by that count. Falls back to SCHED_OTHER (policy=other) without the right. */
static void b_ctxsw(long n)
{
    struct shared { volatile int last; volatile long switches; } *sh;
    sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        die("mmap");
    struct sched_param fifo = { .sched_priority = 1 }, other = { .sched_priority = 0 };
    int rt = sched_setscheduler(0, SCHED_FIFO, &fifo) == 0;   /* the child inherits it */
    int go[2];
    char c = 0;
    if (pipe(go))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        for (long i = 0; i < n; i++) {
            if (sh->last != 2) { sh->last = 2; sh->switches++; }
            sched_yield();
        }
        _exit(0);
    }
    sh->last = 1;
    sh->switches = 0;
    double t0 = now_us();
    if (write(go[1], &c, 1) != 1)
        die("write");
    for (long i = 0; i < n; i++) {
        if (sh->last != 1) { sh->last = 1; sh->switches++; }
        sched_yield();
    }
    double t = now_us() - t0;   /* the child has at most its last yield left */
    reap(pid);
    if (rt)
        sched_setscheduler(0, SCHED_OTHER, &other);
    char extra[64];
    long sw = sh->switches > 0 ? sh->switches : 1;
    snprintf(extra, sizeof extra, "yields=%ld policy=%s", 2 * n, rt ? "fifo" : "other");
    report("ctxsw", sw, t, extra);
    munmap((void *)sh, 4096);
    close(go[0]);
    close(go[1]);
}

/* fork + exit: the child exits at once, the parent waits for it. */
static void b_fork(long n)
{
    double t0 = now_us();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0)
            _exit(0);
        reap(pid);
    }
    report("fork_exit", n, now_us() - t0, NULL);
}

/* fork + exec of a static glibc "hello" (its output goes to /dev/null). */
static void b_exec(long n)
{
    char *argv[] = { "hello", NULL }, *envp[] = { NULL };
    fflush(stdout);
    int saved = dup(1), null = open("/dev/null", O_WRONLY);
    if (saved < 0 || null < 0 || dup2(null, 1) < 0)
        die("redirect stdout");
    double t0 = now_us();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            execve(HELLO, argv, envp);
            _exit(127);
        }
        reap(pid);
    }
    double t = now_us() - t0;
    dup2(saved, 1);
    close(saved);
    close(null);
    report("fork_exec", n, t, NULL);
}

/* Page fault: write one byte into each page of a fresh anonymous mapping (allocate + zero a page
 * per fault); only the touching loop is timed, in rounds of 256 pages. */
static void b_pagefault(long n)
{
    const long pages = 256, psz = 4096;
    long done = 0;
    double t = 0;
    while (done < n) {
        char *p = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (p == MAP_FAILED)
            die("mmap");
        double t0 = now_us();
        for (long i = 0; i < pages; i++)
            p[i * psz] = 1;
        t += now_us() - t0;
        munmap(p, pages * psz);
        done += pages;
    }
    report("pagefault", done, t, NULL);
}

static const struct bench {
    const char *name;
    void (*fn)(long);
    long iterations;
} benches[] = {
    { "syscall", b_getppid, 100000 },
    { "pipe", b_pipe, 5000 },
    { "ctxsw", b_ctxsw, 5000 },
    { "fork_exit", b_fork, 1000 },
    { "fork_exec", b_exec, 300 },
    { "pagefault", b_pagefault, 8192 },
};
#define NBENCH (sizeof benches / sizeof benches[0])

static void run(const struct bench *b, long n, long div)
{
    if (n <= 0)
        n = b->iterations / div;
    if (n < 1)
        n = 1;
    b->fn(n);
}

int main(int argc, char **argv)
{
    long div = 1;
    int i = 1, any = 0;

    if (i + 1 < argc && !strcmp(argv[i], "-s")) {
        div = atol(argv[i + 1]);
        if (div < 1)
            div = 1;
        i += 2;
    }
    for (; i < argc; i++) {
        char name[32];
        long n = 0;
        const char *eq = strchr(argv[i], '=');
        size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, argv[i], len);
        name[len] = 0;
        if (eq)
            n = atol(eq + 1);
        if (!strcmp(name, "none")) {
            any = 1;
            continue;
        }
        if (!strcmp(name, "all")) {
            for (size_t k = 0; k < NBENCH; k++)
                run(&benches[k], 0, div);
            any = 1;
            continue;
        }
        size_t k;
        for (k = 0; k < NBENCH; k++)
            if (!strcmp(name, benches[k].name))
                break;
        if (k == NBENCH) {
            fprintf(stderr, "armbench: unknown benchmark '%s'\n", name);
            return 2;
        }
        run(&benches[k], n, div);
        any = 1;
    }
    if (!any) {
        fprintf(stderr, "usage: armbench [-s DIVISOR] all | none | NAME[=N]... (names:");
        for (size_t k = 0; k < NBENCH; k++)
            fprintf(stderr, " %s", benches[k].name);
        fprintf(stderr, ")\n");
        return 2;
    }
    return 0;
}
