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
#include "file_io.h"
#include "elf_symbols.h"
#include "trampoline.h"

#define DEFAULT_MEM_MB 128u

void run_usage(FILE *to)
{
    fprintf(to,
            "usage: armvmm run [options] GUEST.elf [--vm [VM options] GUEST.elf]...\n"
            "Boots GUEST in a VM under the VMM on QEMU integratorcp (the guest runs in User mode).\n"
            "GUEST is a bare-metal ELF or a Linux vmlinux (patched automatically).\n"
            "  --timeout SECONDS  stop the run after SECONDS (exit status 124)\n"
            "  --mem MB           the VM's RAM in MB (default %u, at most %u)\n"
            "  --icount           deterministic QEMU time: -icount shift=0,sleep=off\n"
            "  --stats            print the VMM's trap statistics at exit (stderr): traps by\n"
            "                     kind and class, CP15 by register, devices by register, the\n"
            "                     ten busiest emulated sites\n"
            "  --stats-all        --stats listing every emulated site (for scripts: make bench)\n"
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
            "  --no-fastpath      keep every CPSR proxy trapping: no trampolines (for comparison)\n"
            "  -h, --help         this text\n"
            "Several VMs: each --vm starts the next VM's options (--mem, --dtb, --initrd, --append,\n"
            "--passthrough, --no-fastpath) and GUEST; run-wide options (--timeout, --icount, --stats[-all],\n"
            "--trace, --gdb, --serial1) come before the first GUEST.  The VMs share the terminal, each line\n"
            "prefixed with the VM's name; input goes to the first VM.\n",
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
    enum { OPT_TIMEOUT = 256, OPT_MEM, OPT_ICOUNT, OPT_STATS, OPT_STATS_ALL, OPT_TRACE, OPT_GDB,
           OPT_NATIVE, OPT_DTB, OPT_INITRD, OPT_APPEND, OPT_SERIAL1, OPT_PASSTHROUGH,
           OPT_NO_FASTPATH };
    static const struct option longopts[] = {
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "mem", required_argument, NULL, OPT_MEM },
        { "icount", no_argument, NULL, OPT_ICOUNT },
        { "stats", no_argument, NULL, OPT_STATS },
        { "stats-all", no_argument, NULL, OPT_STATS_ALL },
        { "trace", no_argument, NULL, OPT_TRACE },
        { "gdb", no_argument, NULL, OPT_GDB },
        { "native", no_argument, NULL, OPT_NATIVE },
        { "dtb", required_argument, NULL, OPT_DTB },
        { "initrd", required_argument, NULL, OPT_INITRD },
        { "append", required_argument, NULL, OPT_APPEND },
        { "serial1", required_argument, NULL, OPT_SERIAL1 },
        { "passthrough", required_argument, NULL, OPT_PASSTHROUGH },
        { "no-fastpath", no_argument, NULL, OPT_NO_FASTPATH },
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
        case OPT_STATS_ALL: opt->stats = opt->stats_all = true; break;
        case OPT_TRACE: opt->trace = true; break;
        case OPT_GDB: opt->gdb = true; break;
        case OPT_NATIVE: opt->native = true; break;
        case OPT_NO_FASTPATH: opt->no_fastpath = true; break;
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

/* The guest's file name without extension ("dir/hello.elf" -> "hello"). */
static void base_name(const char *guest, char *out, size_t len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", guest);
    char *base = basename(path), *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    snprintf(out, len, "%s", base);
}

/* A VM's name, made unique with ".N" when several VMs would share it (console lines carry it). */
static void vm_name(const struct run_vm *vms, unsigned i, char out[BOOTINFO_NAME_LEN])
{
    char mine[BOOTINFO_NAME_LEN], other[BOOTINFO_NAME_LEN];
    unsigned same = 0;

    base_name(vms[i].opt.guest, mine, sizeof(mine) - 3);
    for (unsigned j = 0; j < i; j++) {
        base_name(vms[j].opt.guest, other, sizeof(other) - 3);
        same += !strcmp(mine, other);
    }
    memcpy(out, mine, sizeof(mine));
    if (same) {   /* room was kept: at most 3 VMs can share a name */
        size_t l = strlen(out);
        out[l] = '.';
        out[l + 1] = (char)('0' + same);
        out[l + 2] = '\0';
    }
}

void run_fill_bootinfo(const struct run_vm *vms, unsigned n, struct bootinfo *bi)
{
    const struct run_options *g = &vms[0].opt;

    *bi = (struct bootinfo){
        .magic = BOOTINFO_MAGIC,
        .version = BOOTINFO_VERSION,
        .flags = (g->stats ? BOOT_FLAG_STATS : 0) | (g->stats_all ? BOOT_FLAG_STATS_ALL : 0) |
                 (g->trace ? BOOT_FLAG_TRACE : 0),
        .nr_vms = n,
    };
    for (unsigned i = 0; i < n; i++) {
        const struct run_plan *p = &vms[i].plan;
        bi->vm[i] = (struct bootinfo_vm){
            .ram_hpa = vms[i].ram_hpa,
            .ram_size = p->ram_size,
            .entry = p->img.entry,
            .r0 = p->r0,
            .r1 = p->r1,
            .r2 = p->r2,
            .passthrough = vms[i].opt.passthrough,
            .fast_va = vms[i].link.va,
            .fast_gpa = vms[i].link.gpa,
            .fast_size = vms[i].link.image ? vms[i].link.size : 0,
        };
        vm_name(vms, i, bi->vm[i].name);
    }
}

/* Options that belong to the whole run may only come before the first GUEST. */
static const char *run_wide_option(const struct run_options *o)
{
    return o->timeout_s ? "--timeout" : o->icount ? "--icount"
         : o->stats_all ? "--stats-all" : o->stats ? "--stats"
         : o->trace ? "--trace" : o->gdb ? "--gdb" : o->native ? "--native"
         : o->serial1 ? "--serial1" : NULL;
}

int run_parse_vms(int argc, char **argv, struct run_vm *vms, unsigned max, char *err,
                  size_t errlen)
{
    unsigned n = 0;
    uint32_t next_hpa = VM_RAM_POOL_BASE, taken = 0;

    for (int start = 0; start < argc; n++) {
        int end = start + 1;
        while (end < argc && strcmp(argv[end], "--vm"))
            end++;
        if (n == max)
            return errmsg(err, errlen, "more than %u VMs", max);
        struct run_vm *vm = &vms[n];
        *vm = (struct run_vm){ .opt.mem_mb = 0 };
        /* Each group is parsed as a command line of its own ("--vm" stands for "run"). */
        int rc = run_parse_args(end - start, argv + start, &vm->opt, err, errlen);
        if (rc)
            return rc > 0 ? 0 : -1;
        if (n && run_wide_option(&vm->opt))
            return errmsg(err, errlen, "%s applies to the whole run: give it before the first "
                                       "GUEST", run_wide_option(&vm->opt));
        start = end;
    }
    for (unsigned i = 0; i < n; i++) {
        if (run_plan_guest(&vms[i].opt, &vms[i].plan, err, errlen))
            return -1;
        vms[i].ram_hpa = next_hpa;
        next_hpa += vms[i].plan.ram_size;
        taken += vms[i].opt.mem_mb;
    }
    if (n > 1 && vms[0].opt.native)
        return errmsg(err, errlen, "--native runs one guest, not %u", n);
    if (taken > VM_RAM_MAX_MB)
        return errmsg(err, errlen, "the VMs need %u MB of RAM together, but at most %u MB fit "
                                   "(QEMU -m 256, the VMM keeps 16 MB)", taken, VM_RAM_MAX_MB);
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < i; j++)
            if (vms[i].opt.passthrough & vms[j].opt.passthrough)
                return errmsg(err, errlen, "a device can be passed through to one VM only");
    return (int)n;
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
    char *files[(GUEST_MAX_SEGMENTS + 1) * BOOTINFO_MAX_VMS + 2];
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

/* The staged copy of a segment gets the branches of the sites linked to trampolines. */
static void link_chunk(void *link, uint64_t file_offset, uint8_t *buf, size_t len)
{
    fastpath_apply(link, file_offset, buf, len);
}

/* Where the trampolines go: a bare-metal guest says so with its symbols; a Linux kernel gets
 * whole megabytes after its image (kept from it by a /memreserve/), below the initrd, so that
 * the VMM's shadow tables can still map the kernel's own megabytes as sections.  Returns the
 * guest-physical base (0: nowhere) and sets the region's size (need, or more). */
static uint32_t trampoline_region(const struct run_vm *vm, uint32_t *size, uint32_t *va)
{
    const struct run_plan *p = &vm->plan;
    uint32_t start, end;

    if (p->kind == GUEST_LINUX) {
        start = align_up(guest_image_end(&p->img), MB(1));
        *size = align_up(*size, MB(1));
        *va = start + LINUX_PAGE_OFFSET;
        return start + *size <= p->linux.initrd_gpa ? start : 0;
    }
    if (!elf_file_symbol_value(vm->image, FASTPATH_SYM_START, &start) ||
        !elf_file_symbol_value(vm->image, FASTPATH_SYM_END, &end) || end < start ||
        end - start < *size || end > p->ram_size)
        return 0;
    *size = end - start;   /* (all of the room, as a Linux guest's whole megabytes) */
    *va = start;
    return start;
}

/* Links the guest's common CPSR proxies to trap-free trampolines (common/fastpath.h); a guest
 * without room for them runs with every proxy trapping. */
static int link_trampolines(struct run_vm *vm, char *err, size_t errlen)
{
    struct fastpath_sites sites;
    uint32_t va = 0, gpa, need, size;
    int rc = 0;

    if (vm->opt.no_fastpath || fastpath_collect(vm->image, &sites, err, errlen))
        return vm->opt.no_fastpath ? 0 : -1;
    sites.reads = vm->plan.kind == GUEST_LINUX;   /* kernel text never runs in User mode */
    need = size = fastpath_region_size(&sites);
    gpa = sites.n ? trampoline_region(vm, &size, &va) : 0;
    if (gpa)
        rc = fastpath_generate(&sites, va, gpa, size, &vm->link, err, errlen);
    else if (sites.n)
        fprintf(stderr, "armvmm: %s has no room for %u KB of trampolines: its CPSR proxies "
                        "trap\n", vm->opt.guest, need >> 10);
    fastpath_sites_free(&sites);
    return rc;
}

static int stage_guest(const struct run_vm *vm, unsigned idx, struct staging *st,
                       struct qemu_cmd *cmd, char *err, size_t errlen)
{
    const struct run_options *opt = &vm->opt;
    const struct run_plan *plan = &vm->plan;
    const struct guest_image *img = &plan->img;
    uint32_t dtb_size;
    char name[48];

    for (unsigned i = 0; i < img->nr_segments; i++) {
        if (!img->seg[i].filesz)
            continue;   /* all zeros: RAM starts zeroed */
        snprintf(name, sizeof(name), "vm%u-seg%u.bin", idx, i);
        const char *path = staging_file(st, name);
        if (guest_image_extract(vm->image, &img->seg[i], path, link_chunk, (void *)&vm->link,
                                err, errlen))
            return -1;
        load_at(cmd, path, vm->ram_hpa + img->seg[i].gpa);
    }
    if (vm->link.image) {
        snprintf(name, sizeof(name), "vm%u-trampolines.bin", idx);
        const char *path = staging_file(st, name);
        if (file_write(path, vm->link.image, vm->link.size, err, errlen))
            return -1;
        load_at(cmd, path, vm->ram_hpa + vm->link.gpa);
    }
    if (plan->kind != GUEST_LINUX)
        return 0;
    snprintf(name, sizeof(name), "vm%u-board.dtb", idx);
    const char *dtb = staging_file(st, name);
    const struct board_dtb_params bp = {
        plan->ram_size, opt->append, plan->linux.initrd_gpa, plan->linux.initrd_size,
        vm->link.gpa, vm->link.image ? vm->link.size : 0 };
    if (opt->dtb ? linux_prepare_dtb(opt->dtb, dtb, &bp, &dtb_size, err, errlen)
                 : board_dtb_write(dtb, &bp, &dtb_size, err, errlen))
        return -1;
    load_at(cmd, dtb, vm->ram_hpa + plan->linux.dtb_gpa);
    if (opt->initrd)
        load_at(cmd, opt->initrd, vm->ram_hpa + plan->linux.initrd_gpa);
    return 0;
}

/* Stages every VM's segments, DTB and initrd, and the boot information, as raw files for
 * QEMU's generic loader, which places them straight at their host-physical addresses. */
static int stage_vms(const struct run_vm *vms, unsigned n, struct staging *st,
                     struct qemu_cmd *cmd, char *err, size_t errlen)
{
    struct bootinfo bi;

    if (staging_dir(st, err, errlen))
        return -1;
    for (unsigned i = 0; i < n; i++)
        if (stage_guest(&vms[i], i, st, cmd, err, errlen))
            return -1;
    run_fill_bootinfo(vms, n, &bi);
    const char *bpath = staging_file(st, "bootinfo.bin");
    if (file_write(bpath, &bi, sizeof(bi), err, errlen))
        return -1;
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

static int not_started(struct staging *st, struct qemu_cmd *cmd, const char *err)
{
    fprintf(stderr, "armvmm run: %s\n", err);
    staging_cleanup(st);
    if (cmd)
        qemu_cmd_free(cmd);
    return ARMVMM_EXIT_NOT_STARTED;
}

int cmd_run(int argc, char **argv)
{
    static struct run_vm vms[BOOTINFO_MAX_VMS];
    struct staging st = { .nr_files = 0 };
    struct qemu_cmd cmd;
    char err[PATH_MAX + 256], vmm[PATH_MAX], native[PATH_MAX];
    const char *dtb = NULL;
    int n = run_parse_vms(argc, argv, vms, BOOTINFO_MAX_VMS, err, sizeof(err));
    const struct run_options *opt = &vms[0].opt;

    if (n == 0) {
        run_usage(stdout);
        return 0;
    }
    if (n < 0) {
        fprintf(stderr, "armvmm run: %s\n", err);
        run_usage(stderr);
        return ARMVMM_EXIT_NOT_STARTED;
    }
    if (opt->native && native_kernel(opt, &vms[0].plan, native, sizeof(native), err, sizeof(err)))
        return not_started(&st, NULL, err);
    if (!opt->native && find_vmm_image(vmm, sizeof(vmm))) {
        snprintf(err, sizeof(err), "VMM image %s not found (build it with `make`)", vmm);
        return not_started(&st, NULL, err);
    }
    /* Under the VMM the guests run patched (docs/PATCHER.md); natively as they are. */
    for (int i = 0; !opt->native && i < n; i++)
        if (patch_cache_get(vms[i].opt.guest, vms[i].image, sizeof(vms[i].image), err,
                            sizeof(err)))
            return not_started(&st, NULL, err);
    for (int i = 0; !opt->native && i < n; i++)
        if (link_trampolines(&vms[i], err, sizeof(err)))
            return not_started(&st, NULL, err);
    qemu_cmd_init(&cmd, opt->native ? opt->mem_mb : HOST_RAM_SIZE / MB(1), opt->icount, opt->gdb);
    qemu_cmd_add(&cmd, "-kernel");
    qemu_cmd_add(&cmd, opt->native ? native : vmm);
    if (opt->native && stage_native_dtb(opt, &vms[0].plan, &st, &dtb, err, sizeof(err)))
        return not_started(&st, &cmd, err);
    if (opt->native)
        native_linux_args(opt, dtb, &cmd);
    /* The second -serial is UART1 (qemu_cmd_init gave the first, UART0, to the terminal). Under
     * the VMM the VM's UART1 reaches the real one, emulated or passed through. */
    if (opt->serial1) {
        qemu_cmd_add(&cmd, "-serial");
        qemu_cmd_addf(&cmd, "file:%s", opt->serial1);
    }
    if (!opt->native && stage_vms(vms, (unsigned)n, &st, &cmd, err, sizeof(err)))
        return not_started(&st, &cmd, err);
    if (opt->gdb)
        fprintf(stderr, "armvmm: waiting for gdb: gdb-multiarch %s -ex 'target remote :1234'\n",
                opt->guest);
    int rc = qemu_run(&cmd, opt->timeout_s, ARMVMM_EXIT_TIMEOUT);
    for (int i = 0; i < n; i++)
        fastpath_link_free(&vms[i].link);
    staging_cleanup(&st);
    qemu_cmd_free(&cmd);
    return rc;
}
