/* `armvmm run`: boot a guest under the VMM (or natively, --native) on QEMU's integratorcp. */
#ifndef ARMVMM_RUN_H
#define ARMVMM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bootinfo.h"
#include "guest_image.h"

struct run_options {
    unsigned timeout_s;   /* 0: none */
    unsigned mem_mb;
    bool icount, stats, trace, gdb, native;
    const char *guest;
};

/* Parses argv (after "run"); on error returns -1 with a message in err. */
int run_parse_args(int argc, char **argv, struct run_options *opt, char *err, size_t errlen);

/* Fills the boot information for one VM running img with opt's settings. */
void run_fill_bootinfo(const struct run_options *opt, const struct guest_image *img,
                       struct bootinfo *bi);

int cmd_run(int argc, char **argv);
void run_usage(FILE *to);

#endif
