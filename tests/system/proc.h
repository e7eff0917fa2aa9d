/* Running a command with captured output, for the system tests. */
#ifndef TEST_PROC_H
#define TEST_PROC_H

#include <stddef.h>

struct proc_result {
    int status;      /* exit status, or 128 + signal */
    char *out;       /* stdout, NUL-terminated */
    size_t out_len;
    char *err;       /* stderr, NUL-terminated */
};

/* Runs argv (NULL-terminated) with stdin from /dev/null and extra environment assignments
 * ("NAME=value", NULL-terminated, may be NULL). */
struct proc_result proc_run(const char *const argv[], const char *const env[]);
void proc_result_free(struct proc_result *r);

/* `ARMVMM run --timeout 30 [--native] [opts...] ELF` (opts NULL-terminated, may be NULL). */
struct proc_result proc_run_guest(const char *armvmm, const char *elf, int native,
                                  const char *const opts[]);

/* Prints what a run gave (status, stdout, stderr) under a heading. */
void proc_report(const char *what, const struct proc_result *r);

/* The counter `name` of a VMM --stats report on stderr (a line "  NAME   N", or the total after
 * "trap statistics: "); -1 when absent. */
long proc_stat(const char *err, const char *name);
/* For the --stats line "  NAME  N": N minus the sum of the lines one level below it (2 more
 * spaces of indentation; deeper ones are theirs); LONG_MIN if there is no such line. */
long proc_stat_unexplained(const char *err, const char *name);

/* Prints a unified diff of two texts labelled a and b on stdout. */
void print_diff(const char *label_a, const char *a, const char *label_b, const char *b);

#endif
