/* armvmm: the host command.  `armvmm run` boots a guest under the VMM on QEMU; `armvmm patch`
 * prepares guest images for it. */
#include <stdio.h>
#include <string.h>

#include "exitcodes.h"
#include "patch.h"
#include "run.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: armvmm COMMAND [options]\n"
            "commands:\n"
            "  run [options] GUEST.elf    boot GUEST in a VM under the VMM (see `armvmm run --help`)\n"
            "  patch IN.elf -o OUT.elf    rewrite sensitive instructions into VMM proxies\n"
            "  patch --check IN.elf       list sensitive instructions left unpatched (exit 1)\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ARMVMM_EXIT_NOT_STARTED;
    }
    if (!strcmp(argv[1], "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(argv[1], "patch"))
        return cmd_patch(argc - 1, argv + 1);
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "armvmm: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return ARMVMM_EXIT_NOT_STARTED;
}
