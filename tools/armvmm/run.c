#include "run.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_dtb.h"
#include "exitcodes.h"
#include "memlayout.h"
#include "patch_cache.h"
#include "qemu.h"
#include "errmsg.h"

#define DEFAULT_MEM_MB 128u

void run_usage(FILE *to)
{
    fprintf(to,
            "usage: armvmm run [options] GUEST.elf\n"
            "Boots GUEST in a VM under the VMM on QEMU integratorcp (the guest runs in User mode).\n"
            "GUEST is a bare-metal ELF or a Linux vmlinux (patched automatically).\n"
            "  --timeout SECONDS  stop the run after SECONDS (exit status 124)\n"
            "  --mem MB           the VM's RAM in MB (default %u, at most %u)\n"
            "  --icount           deterministic QEMU time: -icount shift=0,sleep=off\n"
            "  --stats            print the VMM's trap statistics at exit (stderr)\n"
            "  --trace            print the VMM's trace of the last traps at exit (stderr)\n"
            "  --gdb              wait for gdb on QEMU's gdbstub, tcp::1234\n"
            "  --native           run GUEST on the bare board instead, for comparison (a vmlinux:\n"
            "                     the zImage next to it)\n"
            "  --dtb FILE         Linux: the board's device tree (memory, bootargs, initrd filled in);\n"
            "                     without it the VMM generates the tree of the board it emulates\n"
            "  --initrd FILE      Linux: initial RAM disk\n"
            "  --append ARGS      Linux: kernel command line\n"
            "  --serial1 FILE     the board's second UART (UART1) writes to FILE (created or\n"
            "                     truncated), natively and under the VMM alike\n"
            "  --passthrough DEV  DEV (uart1) is not emulated: its page is mapped into the VM and\n"
            "                     the guest drives the real device, its interrupt routed to it\n"
            "  -h, --help         this text\n",
            DEFAULT_MEM_MB, VM_RAM_MAX_MB);
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int run_parse_args(int argc, char **argv, struct run_options *opt, char *err, size_t errlen)
{
    enum { OPT_TIMEOUT = 256, OPT_MEM, OPT_ICOUNT, OPT_STATS, OPT_TRACE, OPT_GDB, OPT_NATIVE,
           OPT_DTB, OPT_INITRD, OPT_APPEND, OPT_SERIAL1, OPT_PASSTHROUGH };
    static const struct option longopts[] = {
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "mem", required_argument, NULL, OPT_MEM },
        { "icount", no_argument, NULL, OPT_ICOUNT },
        { "stats", no_argument, NULL, OPT_STATS },
        { "trace", no_argument, NULL, OPT_TRACE },
        { "gdb", no_argument, NULL, OPT_GDB },
        { "native", no_argument, NULL, OPT_NATIVE },
        { "dtb", required_argument, NULL, OPT_DTB },
        { "initrd", required_argument, NULL, OPT_INITRD },
        { "append", required_argument, NULL, OPT_APPEND },
        { "serial1", required_argument, NULL, OPT_SERIAL1 },
        { "passthrough", required_argument, NULL, OPT_PASSTHROUGH },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    *opt = (struct run_options){ .mem_mb = DEFAULT_MEM_MB };
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_TIMEOUT:
            if (parse_uint(optarg, 1, 86400, &opt->timeout_s))
                return errmsg(err, errlen, "--timeout wants whole seconds, 1..86400, not '%s'",
                            optarg);
            break;
        case OPT_MEM:
            if (parse_uint(optarg, VM_RAM_MIN_MB, VM_RAM_MAX_MB, &opt->mem_mb))
                return errmsg(err, errlen, "--mem wants MB, %u..%u, not '%s'", VM_RAM_MIN_MB,
                            VM_RAM_MAX_MB, optarg);
            break;
        case OPT_ICOUNT: opt->icount = true; break;
        case OPT_STATS: opt->stats = true; break;
        case OPT_TRACE: opt->trace = true; break;
        case OPT_GDB: opt->gdb = true; break;
        case OPT_NATIVE: opt->native = true; break;
        case OPT_DTB: opt->dtb = optarg; break;
        case OPT_INITRD: opt->initrd = optarg; break;
        case OPT_APPEND: opt->append = optarg; break;
        case OPT_SERIAL1:
            if (!*optarg)
                return errmsg(err, errlen, "--serial1 wants a file name");
            opt->serial1 = optarg;
            break;
        case OPT_PASSTHROUGH:
            if (strcmp(optarg, "uart1"))
                return errmsg(err, errlen, "--passthrough: only uart1 can be passed through, "
                                           "not '%s'", optarg);
            opt->passthrough |= BOOT_PASSTHROUGH_UART1;
            break;
        case 'h': return 1;
        default:
            if (optopt)
                return errmsg(err, errlen, "option '-%c' is unknown or lacks its value", optopt);
            return errmsg(err, errlen, "option '%s' is unknown or lacks its value",
                        argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return errmsg(err, errlen, optind == argc ? "no GUEST given" : "more than one GUEST given");
    opt->guest = argv[optind];
    return 0;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* QEMU's placement (hw/arm/boot.c): initrd at min(RAM / 2, 128 MB), the DTB 4 KB aligned after. */
static int plan_linux(const struct run_options *opt, struct run_plan *p, char *err,
                      size_t errlen)
{
    struct stat sb;

    /* Without --dtb the VMM generates its board's tree (board_dtb.c) when staging. */
    if (opt->dtb && access(opt->dtb, R_OK))
        return errmsg(err, errlen, "--dtb %s: %s", opt->dtb, strerror(errno));
    p->linux.initrd_gpa = p->ram_size / 2 < MB(128) ? p->ram_size / 2 : MB(128);
    if (opt->initrd) {
        if (stat(opt->initrd, &sb) || !S_ISREG(sb.st_mode))
            return errmsg(err, errlen, "--initrd %s: %s", opt->initrd,
                        errno ? strerror(errno) : "not a regular file");
        p->linux.initrd_size = (uint32_t)sb.st_size;
    }
    p->linux.dtb_gpa = align_up(p->linux.initrd_gpa + p->linux.initrd_size, 4096);
    if (guest_image_end(&p->img) > p->linux.initrd_gpa ||
        (uint64_t)p->linux.dtb_gpa + MB(1) > p->ram_size)
        return errmsg(err, errlen, "%s with its initrd and DTB does not fit in %u MB of RAM",
                    opt->guest, p->ram_size >> 20);
    p->r0 = 0;
    p->r1 = LINUX_MACH_INTEGRATOR_CP;
    p->r2 = p->linux.dtb_gpa;
    return 0;
}

int run_plan_guest(const struct run_options *opt, struct run_plan *p, char *err, size_t errlen)
{
    *p = (struct run_plan){ .ram_size = opt->mem_mb * MB(1) };
    if (linux_classify(opt->guest, &p->kind, err, errlen))
        return -1;
    if (p->kind == GUEST_BAREMETAL && (opt->dtb || opt->initrd || opt->append))
        return errmsg(err, errlen, "--dtb, --initrd and --append are for Linux kernels; %s is not "
                                 "a vmlinux (no linux_banner symbol, entry below 0x%08x)",
                    opt->guest, LINUX_PAGE_OFFSET);
    if (guest_image_load(opt->guest, p->ram_size,
                         p->kind == GUEST_LINUX ? LINUX_PAGE_OFFSET : 0, &p->img, err, errlen))
        return -1;
    return p->kind == GUEST_LINUX ? plan_linux(opt, p, err, errlen) : 0;
}

void run_fill_bootinfo(const struct run_options *opt, const struct run_plan *plan,
                       struct bootinfo *bi)
{
    char name[PATH_MAX];

    *bi = (struct bootinfo){
        .magic = BOOTINFO_MAGIC,
        .version = BOOTINFO_VERSION,
        .flags = (opt->stats ? BOOT_FLAG_STATS : 0) | (opt->trace ? BOOT_FLAG_TRACE : 0),
        .nr_vms = 1,
    };
    bi->vm[0] = (struct bootinfo_vm){
        .ram_hpa = VM_RAM_POOL_BASE,
        .ram_size = plan->ram_size,
        .entry = plan->img.entry,
        .r0 = plan->r0,
        .r1 = plan->r1,
        .r2 = plan->r2,
        .uart0_passthrough = 0,
        .passthrough = opt->passthrough,
    };
    snprintf(name, sizeof(name), "%s", opt->guest);
    char *base = basename(name), *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';   /* "hello.elf" -> "hello" */
    snprintf(bi->vm[0].name, sizeof(bi->vm[0].name), "%s", base);
}

/* The VMM image installed next to this program: <dir of armvmm>/vmm/armvmm.elf. */
static int find_vmm_image(char *out, size_t len)
{
    const char *env = getenv("ARMVMM_VMM_ELF");
    char exe[PATH_MAX];
    ssize_t n;

    if (env && *env) {
        snprintf(out, len, "%s", env);
    } else {
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n < 0)
            return -1;
        exe[n] = '\0';
        snprintf(out, len, "%s/vmm/armvmm.elf", dirname(exe));
    }
    return access(out, R_OK);
}

struct staging {
    char dir[PATH_MAX];
    char *files[GUEST_MAX_SEGMENTS + 1];
    unsigned nr_files;
};

static void staging_cleanup(struct staging *st)
{
    for (unsigned i = 0; i < st->nr_files; i++) {
        unlink(st->files[i]);
        free(st->files[i]);
    }
    if (st->dir[0])
        rmdir(st->dir);
}

static const char *staging_file(struct staging *st, const char *name)
{
    char *f;
    if (asprintf(&f, "%s/%s", st->dir, name) < 0) {
        perror("armvmm");
        exit(ARMVMM_EXIT_NOT_STARTED);
    }
    return st->files[st->nr_files++] = f;
}

/* Stages each segment and the boot information as raw files for QEMU's generic loader, which
 * places them straight at their host-physical addresses. */
static void load_at(struct qemu_cmd *cmd, const char *file, uint32_t hpa)
{
    qemu_cmd_add(cmd, "-device");
    qemu_cmd_addf(cmd, "loader,file=%s,addr=0x%08x,force-raw=on", file, hpa);
}

static int staging_dir(struct staging *st, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(st->dir, sizeof(st->dir), "%s/armvmm-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(st->dir)) {
        st->dir[0] = '\0';
        return errmsg(err, errlen, "cannot create a staging directory: %s", strerror(errno));
    }
    return 0;
}

static int stage_vm(const struct run_options *opt, const struct run_plan *plan,
                    const char *image, struct staging *st, struct qemu_cmd *cmd, char *err,
                    size_t errlen)
{
    const struct guest_image *img = &plan->img;
    struct bootinfo bi;
    uint32_t dtb_size;
    FILE *f;

    if (staging_dir(st, err, errlen))
        return -1;
    run_fill_bootinfo(opt, plan, &bi);
    for (unsigned i = 0; i < img->nr_segments; i++) {
        char name[32];
        if (!img->seg[i].filesz)
            continue;   /* all zeros: RAM starts zeroed */
        snprintf(name, sizeof(name), "seg%u.bin", i);
        const char *path = staging_file(st, name);
        if (guest_image_extract(image, &img->seg[i], path, err, errlen))
            return -1;
        load_at(cmd, path, bi.vm[0].ram_hpa + img->seg[i].gpa);
    }
    if (plan->kind == GUEST_LINUX) {
        const char *dtb = staging_file(st, "board.dtb");
        const struct board_dtb_params bp = { plan->ram_size, opt->append, plan->linux.initrd_gpa,
                                             plan->linux.initrd_size };
        if (opt->dtb ? linux_prepare_dtb(opt->dtb, dtb, plan->ram_size, opt->append,
                                         plan->linux.initrd_gpa, plan->linux.initrd_size,
                                         &dtb_size, err, errlen)
                     : board_dtb_write(dtb, &bp, &dtb_size, err, errlen))
            return -1;
        load_at(cmd, dtb, bi.vm[0].ram_hpa + plan->linux.dtb_gpa);
        if (opt->initrd)
            load_at(cmd, opt->initrd, bi.vm[0].ram_hpa + plan->linux.initrd_gpa);
    }
    const char *bpath = staging_file(st, "bootinfo.bin");
    f = fopen(bpath, "wb");
    if (!f || fwrite(&bi, sizeof(bi), 1, f) != 1 || fclose(f))
        return errmsg(err, errlen, "cannot write %s: %s", bpath, strerror(errno));
    load_at(cmd, bpath, BOOTINFO_HPA);
    return 0;
}

/* --native: QEMU boots a bare-metal ELF itself; a vmlinux through the zImage of its build. */
static int native_kernel(const struct run_options *opt, const struct run_plan *plan, char *out,
                         size_t len, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    if (plan->kind == GUEST_BAREMETAL) {
        snprintf(out, len, "%s", opt->guest);
        return 0;
    }
    snprintf(dir, sizeof(dir), "%s", opt->guest);
    snprintf(out, len, "%s/zImage", dirname(dir));
    if (access(out, R_OK))
        return errmsg(err, errlen, "--native with a vmlinux boots the zImage of the same build, "
                                 "but %s is missing", out);
    return 0;
}

/* --native with a vmlinux and no --dtb: QEMU gets the generated tree of the VMM's board too, so
 * both runs see the same board (QEMU fills in /memory, bootargs and the initrd itself). */
static int stage_native_dtb(const struct run_options *opt, const struct run_plan *plan,
                            struct staging *st, const char **dtb, char *err, size_t errlen)
{
    const struct board_dtb_params bp = { .ram_size = plan->ram_size, .bootargs = opt->append };
    *dtb = opt->dtb;
    if (opt->dtb || plan->kind != GUEST_LINUX)
        return 0;
    if (staging_dir(st, err, errlen))
        return -1;
    *dtb = staging_file(st, "board.dtb");
    return board_dtb_write(*dtb, &bp, NULL, err, errlen);
}

static void native_linux_args(const struct run_options *opt, const char *dtb,
                              struct qemu_cmd *cmd)
{
    const char *flag[] = { "-dtb", "-initrd", "-append" };
    const char *val[] = { dtb, opt->initrd, opt->append };
    for (unsigned i = 0; i < 3; i++)
        if (val[i]) {
            qemu_cmd_add(cmd, flag[i]);
            qemu_cmd_add(cmd, val[i]);
        }
}

int cmd_run(int argc, char **argv)
{
    struct run_options opt;
    struct run_plan plan;
    struct staging st = { .nr_files = 0 };
    struct qemu_cmd cmd;
    char err[PATH_MAX + 256], vmm[PATH_MAX], patched[PATH_MAX], native[PATH_MAX];
    const char *dtb = NULL;
    int rc = run_parse_args(argc, argv, &opt, err, sizeof(err));

    if (rc > 0) {
        run_usage(stdout);
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "armvmm run: %s\n", err);
        run_usage(stderr);
        return ARMVMM_EXIT_NOT_STARTED;
    }
    if (run_plan_guest(&opt, &plan, err, sizeof(err)) ||
        (opt.native && native_kernel(&opt, &plan, native, sizeof(native), err, sizeof(err)))) {
        fprintf(stderr, "armvmm run: %s\n", err);
        return ARMVMM_EXIT_NOT_STARTED;
    }
    if (!opt.native && find_vmm_image(vmm, sizeof(vmm))) {
        fprintf(stderr, "armvmm run: VMM image %s not found (build it with `make`)\n", vmm);
        return ARMVMM_EXIT_NOT_STARTED;
    }
    /* Under the VMM the guest runs patched (docs/PATCHER.md); natively as it is. */
    if (!opt.native && patch_cache_get(opt.guest, patched, sizeof(patched), err, sizeof(err))) {
        fprintf(stderr, "armvmm run: %s\n", err);
        return ARMVMM_EXIT_NOT_STARTED;
    }
    qemu_cmd_init(&cmd, opt.native ? opt.mem_mb : HOST_RAM_SIZE / MB(1), opt.icount, opt.gdb);
    qemu_cmd_add(&cmd, "-kernel");
    qemu_cmd_add(&cmd, opt.native ? native : vmm);
    if (opt.native && stage_native_dtb(&opt, &plan, &st, &dtb, err, sizeof(err))) {
        fprintf(stderr, "armvmm run: %s\n", err);
        staging_cleanup(&st);
        qemu_cmd_free(&cmd);
        return ARMVMM_EXIT_NOT_STARTED;
    }
    if (opt.native)
        native_linux_args(&opt, dtb, &cmd);
    /* The second -serial is UART1 (qemu_cmd_init gave the first, UART0, to the terminal). Under
     * the VMM the VM's UART1 reaches the real one, emulated or passed through. */
    if (opt.serial1) {
        qemu_cmd_add(&cmd, "-serial");
        qemu_cmd_addf(&cmd, "file:%s", opt.serial1);
    }
    if (!opt.native && stage_vm(&opt, &plan, patched, &st, &cmd, err, sizeof(err))) {
        fprintf(stderr, "armvmm run: %s\n", err);
        staging_cleanup(&st);
        qemu_cmd_free(&cmd);
        return ARMVMM_EXIT_NOT_STARTED;
    }
    if (opt.gdb)
        fprintf(stderr, "armvmm: waiting for gdb: gdb-multiarch %s -ex 'target remote :1234'\n",
                opt.guest);
    rc = qemu_run(&cmd, opt.timeout_s, ARMVMM_EXIT_TIMEOUT);
    staging_cleanup(&st);
    qemu_cmd_free(&cmd);
    return rc;
}
