/* System tests of the virtual board (issue 9), run like the rest of the system suite: every
 * guest natively (`armvmm run --native`) and under the VMM, outputs compared byte for byte.
 *   - irq: soft interrupt as IRQ/FIQ, pending-while-masked, IRQ in User mode, timer ticks with
 *     WFI, masked WFI waking;
 *   - echo: text written to the guest's stdin (the terminal) comes back, typed line by line and
 *     in a burst;
 *   - uart1: `--serial1 FILE` gets UART1's output, the same file natively, with UART1 emulated
 *     and with `--passthrough uart1` (which must need fewer emulated device accesses). */
#include "board_tests.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

#define TIMEOUT "30"

static char armvmm[512], guests[512];

static void find_paths(void)
{
    const char *build = getenv("ARMVMM_BUILD");
    char cwd[256];
    if (armvmm[0])
        return;
    if (!build)
        build = "build";
    if (!getcwd(cwd, sizeof(cwd)))
        fail_msg("getcwd: %s", strerror(errno));
    snprintf(armvmm, sizeof(armvmm), "%s%s%s/armvmm", build[0] == '/' ? "" : cwd,
             build[0] == '/' ? "" : "/", build);
    snprintf(guests, sizeof(guests), "%s%s%s/guests", build[0] == '/' ? "" : cwd,
             build[0] == '/' ? "" : "/", build);
}

static const char *guest_elf(const char *name)
{
    static char path[4][600];
    static unsigned next;
    char *p = path[next++ % 4];
    find_paths();
    snprintf(p, sizeof(path[0]), "%s/%s.elf", guests, name);
    if (access(p, R_OK))
        fail_msg("%s missing: build it with `make`", p);
    return p;
}

/* `armvmm run --timeout 30 [--native] [opts...] GUEST` with stdin from /dev/null. */
static struct proc_result run(const char *name, int native, const char *const opts[])
{
    return proc_run_guest(armvmm, guest_elf(name), native, opts);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    data = malloc((size_t)n + 1);
    if (fread(data, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    data[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return data;
}

static void make_tmpdir(char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/armvmm-board-XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp: %s", strerror(errno));
}

static void remove_tmpdir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
}

/* ---- the interrupt guest ---- */

static void test_irq_guest_same_natively_and_in_vm(void **state)
{
    (void)state;
    const char *stats[] = { "--stats", NULL };
    struct proc_result n = run("irq", 1, NULL);
    struct proc_result v = run("irq", 0, stats);
    int same = n.out_len == v.out_len && !memcmp(n.out, v.out, n.out_len);

    if (!same || n.status != 0 || v.status != 0) {
        if (!same)
            print_diff("native stdout", n.out, "VMM stdout", v.out);
        proc_report("native irq", &n);
        proc_report("VMM irq --stats", &v);
        fail_msg("the interrupt guest differs natively and under the VMM");
    }
    /* The facts the guest must have seen (the same text natively, so the board agrees). */
    static const char *const facts[] = {
        "taken: irq 1 fiq 0, status in handler 00000001, handler mode 12, from mode 13",
        "taken: irq 0 fiq 1, status in handler 00000001, handler mode 11, from mode 13",
        "both sides: order \"F\"",
        "unmasked: irq count at the next instruction 1",
        "user mode: irq 1, taken from mode 10 into mode 12, swi #55, back in mode 13",
        "timer periodic, IRQs enabled: 10 ticks, status in handler 00000040",
        "10 ticks in 10 WFIs",
        "wfi with I masked woke: status 00000040, timer ris 1, taken while masked 0",
        "after unmask: irq 1, ticks 1",
    };
    for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
        if (!strstr(n.out, facts[i])) {
            proc_report("native irq", &n);
            fail_msg("expected \"%s\" in the guest's output", facts[i]);
        }
    long irqs = proc_stat(v.err, "interrupts delivered"), waits = proc_stat(v.err,
                                                                             "waits for interrupt");
    long quick = proc_stat(v.err, "quick device reads");
    printf("irq guest under the VMM: %ld interrupts delivered, %ld waits for interrupt, %ld "
           "quick device reads\n", irqs, waits, quick);
    /* (its polling of the interrupt controller and timers reads registers quietly) */
    if (irqs < 24 || waits < 20 || quick < 10) {
        proc_report("VMM irq --stats", &v);
        fail_msg("expected at least 24 virtual interrupts, 20 WFIs and 10 quick device reads in "
                 "the statistics");
    }
    proc_result_free(&n);
    proc_result_free(&v);
}

/* ---- the echo guest: stdin typed by the test ---- */

struct typed {
    int after_lines;    /* send once stdout holds this many lines */
    const char *text;
};

static unsigned count_lines(const char *s, size_t len)
{
    unsigned n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct sink {
    char *data;
    size_t len, cap;
    int fd;
};

static void sink_read(struct sink *s)
{
    char chunk[4096];
    ssize_t n = read(s->fd, chunk, sizeof(chunk));
    if (n <= 0) {
        close(s->fd);
        s->fd = -1;
        return;
    }
    if (s->len + (size_t)n + 1 > s->cap) {
        s->cap = (s->len + (size_t)n + 1) * 2;
        s->data = realloc(s->data, s->cap);
    }
    memcpy(s->data + s->len, chunk, (size_t)n);
    s->len += (size_t)n;
    s->data[s->len] = '\0';
}

/* Runs argv with stdin from a pipe: each input chunk is written once stdout has reached its
 * line count (the guest answered what came before), then stdin is closed.  Like proc_run
 * otherwise; a chunk still unsent after 60 s is dropped (the run's own timeout ends it). */
static struct proc_result proc_run_typed(const char *const argv[], const struct typed *in,
                                         size_t nin)
{
    int pin[2], pout[2], perr[2], status;
    struct sink out = { 0 }, err = { 0 };
    struct proc_result r = { 0 };
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    size_t next = 0, off = 0;
    double deadline = now_s() + 60;

    if (pipe(pin) || pipe(pout) || pipe(perr))
        fail_msg("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        dup2(perr[1], 2);
        close(pin[1]);
        close(pout[0]);
        close(perr[0]);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "cannot run %s\n", argv[0]);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    close(perr[1]);
    out.fd = pout[0];
    err.fd = perr[0];
    int wfd = pin[1];
    while (out.fd >= 0 || err.fd >= 0) {
        bool want_write = wfd >= 0 && next < nin &&
                          count_lines(out.data, out.len) >= (unsigned)in[next].after_lines;
        if (wfd >= 0 && (next == nin || now_s() > deadline)) {
            close(wfd);
            wfd = -1;
            want_write = false;
        }
        struct pollfd p[3] = { { out.fd, POLLIN, 0 }, { err.fd, POLLIN, 0 },
                               { want_write ? wfd : -1, POLLOUT, 0 } };
        if (poll(p, 3, 200) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            sink_read(&out);
        if (p[1].revents)
            sink_read(&err);
        if (p[2].revents & (POLLERR | POLLHUP)) {
            close(wfd);
            wfd = -1;
        } else if (p[2].revents & POLLOUT) {
            const char *t = in[next].text;
            ssize_t w = write(wfd, t + off, strlen(t) - off);
            if (w > 0 && (off += (size_t)w) == strlen(t)) {
                next++;
                off = 0;
            }
        }
    }
    if (wfd >= 0)
        close(wfd);
    waitpid(pid, &status, 0);
    signal(SIGPIPE, old_pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = out.data ? out.data : calloc(1, 1);
    r.out_len = out.len;
    r.err = err.data ? err.data : calloc(1, 1);
    return r;
}

static void append(char **buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    *buf = realloc(*buf, *len + n + 1);
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

static void test_echo_guest_answers_typed_input(void **state)
{
    (void)state;
    enum { BURST = 30, LONG = 150, LINE_MAX = 120 };
    char *burst = NULL, *expect = NULL, line[200];
    size_t blen = 0, elen = 0;
    unsigned chars = 0, lines = 0;

    /* Two lines typed one at a time, each after the guest's answer to the one before; then a
     * burst of lines (flow control through a one-character receiver), one longer than the
     * guest's buffer, and "quit". */
    append(&expect, &elen, "echo guest: type lines, \"quit\" ends\n");
    append(&expect, &elen, "echo: hello, VM\n");
    append(&expect, &elen, "echo: typed input reaches the guest\n");
    chars += strlen("hello, VM\n") + strlen("typed input reaches the guest\r\n");
    lines += 2;
    for (int i = 0; i < BURST; i++) {
        snprintf(line, sizeof(line), "burst line %02d: 0123456789 abcdefghijklmnopqrstuvwxyz\n", i);
        append(&burst, &blen, line);
        chars += strlen(line);
        lines++;
        append(&expect, &elen, "echo: ");
        append(&expect, &elen, line);
    }
    memset(line, 'x', LONG);
    line[LONG] = '\n';
    line[LONG + 1] = '\0';
    append(&burst, &blen, line);
    chars += LONG + 1;
    lines++;
    line[LINE_MAX] = '\n';
    line[LINE_MAX + 1] = '\0';
    append(&expect, &elen, "echo: ");
    append(&expect, &elen, line);
    append(&burst, &blen, "quit\n");
    chars += 5;
    snprintf(line, sizeof(line), "bye: %u lines, %u characters\n", lines, chars);
    append(&expect, &elen, line);

    const struct typed input[] = {
        { 1, "hello, VM\n" },
        { 2, "typed input reaches the guest\r\n" },
        { 3, burst },
    };
    for (int native = 1; native >= 0; native--) {
        const char *where = native ? "native" : "VMM";
        const char *argv[] = { armvmm, "run", "--timeout", TIMEOUT, native ? "--native" : "--stats",
                               guest_elf("echo"), NULL };
        struct proc_result r = proc_run_typed(argv, input, sizeof(input) / sizeof(input[0]));
        if (r.status != 0 || strcmp(r.out, expect)) {
            print_diff("expected", expect, where, r.out);
            proc_report(where, &r);
            fail_msg("the echo guest did not answer the typed input (%s)", where);
        }
        if (!native)
            printf("echo guest under the VMM: %ld device accesses, %ld waits for interrupt\n",
                   proc_stat(r.err, "device accesses"), proc_stat(r.err, "waits for interrupt"));
        proc_result_free(&r);
    }
    free(burst);
    free(expect);
}

/* ---- UART1: --serial1 FILE, emulated and passed through ---- */

struct uart1_run {
    struct proc_result r;
    char *file;
    size_t file_len;
};

static struct uart1_run run_uart1(const char *dir, const char *label, int native,
                                  const char *passthrough)
{
    struct uart1_run u;
    char path[600];
    const char *opts[8];
    int n = 0;
    snprintf(path, sizeof(path), "%s/uart1-%s.txt", dir, label);
    opts[n++] = "--serial1";
    opts[n++] = path;
    if (!native)
        opts[n++] = "--stats";
    if (passthrough) {
        opts[n++] = "--passthrough";
        opts[n++] = passthrough;
    }
    opts[n] = NULL;
    u.r = run("uart1", native, opts);
    u.file = slurp(path, &u.file_len);
    if (!u.file) {
        proc_report(label, &u.r);
        fail_msg("%s: --serial1 %s was not created", label, path);
    }
    return u;
}

static void uart1_free(struct uart1_run *u)
{
    proc_result_free(&u->r);
    free(u->file);
}

static void assert_same_uart1(const struct uart1_run *n, const struct uart1_run *v,
                              const char *label)
{
    int same_out = n->r.out_len == v->r.out_len && !memcmp(n->r.out, v->r.out, n->r.out_len);
    int same_file = n->file_len == v->file_len && !memcmp(n->file, v->file, n->file_len);
    if (!same_out || !same_file || v->r.status != 0) {
        if (!same_out)
            print_diff("native stdout", n->r.out, label, v->r.out);
        if (!same_file)
            print_diff("native UART1 file", n->file, label, v->file);
        proc_report(label, &v->r);
        fail_msg("uart1 guest: %s differs from the native run", label);
    }
}

static void test_serial1_file_same_natively_and_in_vm(void **state)
{
    (void)state;
    char dir[64];
    make_tmpdir(dir, sizeof(dir));
    struct uart1_run n = run_uart1(dir, "native", 1, NULL);
    struct uart1_run v = run_uart1(dir, "vmm", 0, NULL);

    if (n.r.status != 0 || !strstr(n.file, "uart1 line 5: the quick brown fox") ||
        !strstr(n.file, "\nbh\nend of uart1 text\n!\n") ||
        !strstr(n.r.out, "uart1 irq: taken 1, pic status in handler 00000004, mis 00000020")) {
        proc_report("native uart1", &n.r);
        printf("--- UART1 file:\n%s\n", n.file);
        fail_msg("the native run did not write UART1 as expected");
    }
    assert_same_uart1(&n, &v, "VMM, UART1 emulated");
    printf("uart1: %zu bytes in the --serial1 file, natively and under the VMM\n", n.file_len);

    /* Without --serial1 UART1's output goes nowhere and the console is unchanged. */
    struct proc_result quiet = run("uart1", 0, NULL);
    if (quiet.status != 0 || strcmp(quiet.out, n.r.out)) {
        print_diff("native stdout", n.r.out, "VMM without --serial1", quiet.out);
        fail_msg("the uart1 guest without --serial1 should print the same console text");
    }
    proc_result_free(&quiet);
    uart1_free(&n);
    uart1_free(&v);
    remove_tmpdir(dir);
}

static void test_passthrough_uart1_same_file_fewer_device_accesses(void **state)
{
    (void)state;
    char dir[64];
    make_tmpdir(dir, sizeof(dir));
    struct uart1_run n = run_uart1(dir, "native", 1, NULL);
    struct uart1_run v = run_uart1(dir, "vmm", 0, NULL);
    struct uart1_run p = run_uart1(dir, "passthrough", 0, "uart1");

    assert_same_uart1(&n, &v, "VMM, UART1 emulated");
    assert_same_uart1(&n, &p, "VMM, UART1 passed through");
    long dev_v = proc_stat(v.r.err, "device accesses"), dev_p = proc_stat(p.r.err,
                                                                             "device accesses");
    long irq_p = proc_stat(p.r.err, "interrupts delivered");
    printf("uart1 device accesses: %ld emulated, %ld with --passthrough uart1 (%ld interrupts "
           "delivered)\n", dev_v, dev_p, irq_p);
    if (dev_v <= 0 || dev_p < 0 || dev_p >= dev_v || irq_p < 2) {
        proc_report("VMM --passthrough uart1", &p.r);
        fail_msg("pass-through should leave fewer emulated device accesses (%ld vs %ld) and "
                 "still route UART1's interrupt (%ld delivered)", dev_p, dev_v, irq_p);
    }
    /* --native accepts the option (the bare board has nothing to emulate) and is unchanged. */
    struct uart1_run np = run_uart1(dir, "native-pt", 1, "uart1");
    assert_same_uart1(&n, &np, "native with --passthrough uart1");
    uart1_free(&n);
    uart1_free(&v);
    uart1_free(&p);
    uart1_free(&np);
    remove_tmpdir(dir);
}

/* Bad values: status 2 with a message, QEMU never started. */
static void test_board_options_refused(void **state)
{
    (void)state;
    char dir[64], fake[600], marker[600], env_qemu[700];
    make_tmpdir(dir, sizeof(dir));
    snprintf(fake, sizeof(fake), "%s/fake-qemu", dir);
    snprintf(marker, sizeof(marker), "%s/qemu-was-started", dir);
    FILE *f = fopen(fake, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\ntouch '%s'\n", marker);
    fclose(f);
    chmod(fake, 0755);
    snprintf(env_qemu, sizeof(env_qemu), "ARMVMM_QEMU=%s", fake);
    const char *env[] = { env_qemu, NULL };
    const char *g = guest_elf("uart1");
    struct {
        const char *argv[8];
        const char *msg;
    } cases[] = {
        { { armvmm, "run", "--passthrough", "uart0", g, NULL }, "only uart1" },
        { { armvmm, "run", "--passthrough", "rtc", g, NULL }, "not 'rtc'" },
        { { armvmm, "run", "--serial1", "", g, NULL }, "--serial1 wants a file name" },
        { { armvmm, "run", g, "--serial1", NULL }, "more than one GUEST" },
        { { armvmm, "run", "--passthrough", NULL }, "lacks its value" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unlink(marker);
        struct proc_result r = proc_run(cases[i].argv, env);
        int started = access(marker, F_OK) == 0;
        if (r.status != 2 || !strstr(r.err, cases[i].msg) || started) {
            proc_report("bad board option", &r);
            fail_msg("case %zu: expected status 2 and \"%s\", QEMU not started (started %d)", i,
                     cases[i].msg, started);
        }
        proc_result_free(&r);
    }
    remove_tmpdir(dir);
}

const struct CMUnitTest board_tests[] = {
    cmocka_unit_test(test_irq_guest_same_natively_and_in_vm),
    cmocka_unit_test(test_echo_guest_answers_typed_input),
    cmocka_unit_test(test_serial1_file_same_natively_and_in_vm),
    cmocka_unit_test(test_passthrough_uart1_same_file_fewer_device_accesses),
    cmocka_unit_test(test_board_options_refused),
};
const size_t board_tests_count = sizeof(board_tests) / sizeof(board_tests[0]);
