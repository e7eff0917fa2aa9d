/* Building the QEMU command line and running QEMU as a child with a timeout. */
#ifndef ARMVMM_QEMU_H
#define ARMVMM_QEMU_H

#include <stdbool.h>

#define QEMU_MAX_ARGS 256

struct qemu_cmd {
    const char *argv[QEMU_MAX_ARGS + 1];
    int argc;
    char *owned[QEMU_MAX_ARGS];   /* strings this command allocated */
    int nr_owned;
};

/* The board, CPU and console wiring shared by native and VMM runs. */
void qemu_cmd_init(struct qemu_cmd *c, unsigned mem_mb, bool icount, bool gdb);
void qemu_cmd_add(struct qemu_cmd *c, const char *arg);
void qemu_cmd_addf(struct qemu_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void qemu_cmd_free(struct qemu_cmd *c);

/* Runs the command, stdin/stdout/stderr inherited; returns QEMU's exit status, 128+signal,
 * or timeout_status if it ran longer than timeout_s seconds (0: no limit). */
int qemu_run(struct qemu_cmd *c, unsigned timeout_s, int timeout_status);

#endif
