#include "proc.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct buf {
    char *data;
    size_t len, cap;
};

static void buf_read(struct buf *b, int fd, int *open)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) {
        *open = 0;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, chunk, (size_t)n);
    b->len += (size_t)n;
}

static char *buf_finish(struct buf *b)
{
    if (!b->data)
        b->data = calloc(1, 1);
    b->data[b->len] = '\0';
    return b->data;
}

struct proc_result proc_run(const char *const argv[], const char *const env[])
{
    int out[2], err[2], status;
    struct buf bo = { 0 }, be = { 0 };
    struct proc_result r = { 0 };

    if (pipe(out) || pipe(err)) {
        perror("pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        for (const char *const *e = env; e && *e; e++)
            putenv((char *)*e);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "cannot run %s\n", argv[0]);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    int open_out = 1, open_err = 1;
    while (open_out || open_err) {
        struct pollfd p[2] = { { open_out ? out[0] : -1, POLLIN, 0 },
                               { open_err ? err[0] : -1, POLLIN, 0 } };
        poll(p, 2, -1);
        if (p[0].revents)
            buf_read(&bo, out[0], &open_out);
        if (p[1].revents)
            buf_read(&be, err[0], &open_err);
    }
    close(out[0]);
    close(err[0]);
    waitpid(pid, &status, 0);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out_len = bo.len;
    r.out = buf_finish(&bo);
    r.err = buf_finish(&be);
    return r;
}

void proc_result_free(struct proc_result *r)
{
    free(r->out);
    free(r->err);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

void print_diff(const char *label_a, const char *a, const char *label_b, const char *b)
{
    char da[] = "/tmp/armvmm-diff-a-XXXXXX", db[] = "/tmp/armvmm-diff-b-XXXXXX";
    close(mkstemp(da));
    close(mkstemp(db));
    write_file(da, a);
    write_file(db, b);
    const char *argv[] = { "diff", "-u", "--label", label_a, "--label", label_b, da, db, NULL };
    struct proc_result r = proc_run(argv, NULL);
    printf("%s", r.out);
    proc_result_free(&r);
    unlink(da);
    unlink(db);
}

struct proc_result proc_run_guest(const char *armvmm, const char *elf, int native,
                                  const char *const opts[])
{
    const char *argv[16];
    int n = 0;
    argv[n++] = armvmm;
    argv[n++] = "run";
    argv[n++] = "--timeout";
    argv[n++] = "30";
    if (native)
        argv[n++] = "--native";
    for (; opts && *opts && n < 14; opts++)
        argv[n++] = *opts;
    argv[n++] = elf;
    argv[n] = NULL;
    return proc_run(argv, NULL);
}

void proc_report(const char *what, const struct proc_result *r)
{
    printf("--- %s: status %d\n--- stdout:\n%s\n--- stderr:\n%s\n", what, r->status, r->out,
           r->err);
}

long proc_stat(const char *err, const char *name)
{
    const char *p = strstr(err, name);
    if (!p)
        return -1;
    return strtol(p + strlen(name), NULL, 10);
}

/* The indentation of the line at p and its value (the last number on it). */
static size_t line_indent(const char *p, long *value)
{
    size_t ind = strspn(p, " ");
    const char *end = strchr(p, '\n'), *num = end ? end : p + strlen(p);
    while (num > p && num[-1] >= '0' && num[-1] <= '9')
        num--;
    *value = strtol(num, NULL, 10);
    return ind;
}

long proc_stat_unexplained(const char *err, const char *name)
{
    char want[96];
    snprintf(want, sizeof want, "\n  %s ", name);
    const char *p = strstr(err, want);
    if (!p)
        return LONG_MIN;
    long total, v;
    size_t ind = line_indent(++p, &total);
    while ((p = strchr(p, '\n')) && *++p) {
        size_t i = line_indent(p, &v);
        if (i <= ind)
            break;
        if (i == ind + 2)
            total -= v;
    }
    return total;
}
