/* Tests of `armvmm patch` (tools/armvmm/patch.c).
 *
 * The ELF fixtures (the .S files in tests/fixtures) are built at run time with arm-none-eabi-gcc into a
 * temporary directory, so the test needs no make rule.  tests/fixtures/patch_fixture.S records
 * the address and class of every site it expects rewritten (.fixture.sites) and of every data
 * word that merely looks like an MRS/MSR (.fixture.data); the test compares input and output
 * byte by byte against those tables.
 *
 * If $LINUX_OUT/vmlinux exists, it is patched and checked too; otherwise that test says SKIPPED. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gelf.h>
#include <libelf.h>

#include "decode.h"
#include "elf_symbols.h"
#include "patch.h"
#include "trampoline.h"

extern char **environ;

static char tmpdir[256];
static char srcdir[512];
static bool have_cross;

/* ------------------------------------------------------------------ helpers */

static void path_in(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

static int run_quiet(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run argv with stdout and stderr captured into out (NUL-terminated). */
static int run_capture(char *const argv[], char *out, size_t len)
{
    char cap[300];
    int fd, rc;
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st;
    ssize_t n;

    path_in(cap, sizeof cap, "capture.txt");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    fd = open(cap, O_RDONLY);
    n = fd >= 0 ? read(fd, out, len - 1) : -1;
    out[n > 0 ? n : 0] = '\0';
    if (fd >= 0)
        close(fd);
    unlink(cap);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_all(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    unsigned char *b = read_all(from, &len);
    assert_non_null(b);
    write_all(to, b, len);
    free(b);
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static bool files_equal(const char *a, const char *b)
{
    size_t la, lb;
    unsigned char *x = read_all(a, &la), *y = read_all(b, &lb);
    bool eq = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return eq;
}

/* No stray temporary files (".name.XXXXXX") in the temporary directory. */
static void assert_no_temp_files(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            fail_msg("temporary file left behind: %s", e->d_name);
    closedir(d);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ------------------------------------------------------------------ fixtures */

/* Path of a file in the temporary directory (a ring of 8 buffers: copy it to keep it). */
static const char *fx(const char *name)
{
    static char bufs[8][300];
    static int k;
    char *b = bufs[k++ & 7];
    path_in(b, 300, name);
    return b;
}

/* Run a build command; on failure say which, with its output. */
static int build(char *const argv[])
{
    char out[4096];
    int rc = run_capture(argv, out, sizeof out);
    if (rc == 0)
        return 0;
    fprintf(stderr, "test_patch: fixture build failed (exit %d):", rc);
    for (int i = 0; argv[i]; i++)
        fprintf(stderr, " %s", argv[i]);
    fprintf(stderr, "\n%s", out);
    return -1;
}

static int build_fixtures(void)
{
    char src[600], lds[600], out[300];
    char cc[] = "arm-none-eabi-gcc", objcopy[] = "arm-none-eabi-objcopy";

    snprintf(src, sizeof src, "%s/tests/fixtures/patch_fixture.S", srcdir);
    snprintf(lds, sizeof lds, "%s/tests/fixtures/patch_fixture.ld", srcdir);
    if (!exists(src)) {
        fprintf(stderr, "test_patch: fixture sources not found at %s (run from the repository "
                "root or set ARMVMM_SRCDIR)\n", src);
        return -1;
    }
    {
        char *argv[] = { cc, (char *)"-mcpu=arm926ej-s", (char *)"-nostdlib", (char *)"-T", lds, (char *)"-o",
                         (char *)fx("fix.elf"), src, NULL };
        if (build(argv) != 0)
            return -1;
    }
    {
        char *argv[] = { cc, (char *)"-mcpu=arm926ej-s", (char *)"-c", (char *)"-o",
                         (char *)fx("fix.o"), src, NULL };
        if (build(argv) != 0)
            return -1;
    }
    {
        char *argv[] = { objcopy, (char *)"--strip-all", (char *)fx("fix.elf"),
                         (char *)fx("stripped.elf"), NULL };
        if (build(argv) != 0)
            return -1;
    }
    {
        char *argv[] = { objcopy, (char *)"--wildcard", (char *)"--strip-symbol=$*",
                         (char *)fx("fix.elf"), (char *)fx("nomap.elf"), NULL };
        if (build(argv) != 0)
            return -1;
    }
    static const char *const small[] = { "thumb_fixture", "bad_proxy_fixture", "dead_fixture" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(src, sizeof src, "%s/tests/fixtures/%s.S", srcdir, small[i]);
        snprintf(out, sizeof out, "%s/%s.elf", tmpdir, small[i]);
        char *argv[] = { cc, (char *)"-mcpu=arm926ej-s", (char *)"-nostdlib",
                         (char *)"-Wl,-Ttext=0x8000", (char *)"-o", out, src, NULL };
        if (build(argv) != 0)
            return -1;
    }
    return 0;
}

static int group_teardown(void **state);

static int group_setup(void **state)
{
    const char *env = getenv("ARMVMM_SRCDIR");
    const char *t = getenv("TMPDIR");
    (void)state;
    if (env && *env) {
        snprintf(srcdir, sizeof srcdir, "%s", env);
    } else {
        /* __FILE__ is "<root>/tests/unit/test_patch.c" as the compiler saw it */
        const char *f = __FILE__, *p = strstr(f, "tests/unit/test_patch.c");
        int n = p ? (int)(p - f) : 0;
        snprintf(srcdir, sizeof srcdir, "%.*s.", n, f);
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/armvmm-test-patch.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir))
        return -1;
    {
        char *argv[] = { (char *)"arm-none-eabi-gcc", (char *)"--version", NULL };
        have_cross = run_quiet(argv) == 0;
    }
    if (!have_cross) {
        fprintf(stderr, "test_patch: arm-none-eabi-gcc not found: fixture tests SKIPPED "
                "(scripts/setup.sh installs it)\n");
        return 0;
    }
    if (build_fixtures() != 0) {
        group_teardown(state);    /* cmocka skips the teardown when the setup fails */
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    (void)state;
    if (d) {
        while ((e = readdir(d)) != NULL) {
            char p[600];
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            if (unlink(p) != 0)
                rmdir(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
    return 0;
}

#define NEED_CROSS() do { if (!have_cross) { \
    printf("[  SKIPPED ] no arm-none-eabi-gcc: fixture not built\n"); skip(); } } while (0)

/* ------------------------------------------------------------------ fixture tables */

struct site { uint64_t off; uint32_t addr, cls; };

struct fixture_tables {
    struct site *sites;
    size_t nsites;
    uint64_t *data;            /* file offsets of DATAWORD words */
    size_t ndata;
    unsigned long per_class[3];
};

/* File offset of a virtual address inside an allocated PROGBITS section. */
static bool addr_to_off(Elf *e, uint32_t addr, uint64_t *off)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        gelf_getshdr(scn, &sh);
        if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_type != SHT_PROGBITS)
            continue;
        if (addr >= sh.sh_addr && addr - sh.sh_addr < sh.sh_size) {
            *off = sh.sh_offset + (addr - sh.sh_addr);
            return true;
        }
    }
    return false;
}

static void read_tables(const char *path, struct fixture_tables *t)
{
    int fd = open(path, O_RDONLY);
    Elf *e;
    Elf_Scn *scn = NULL;
    size_t shstrndx;

    memset(t, 0, sizeof *t);
    assert_true(fd >= 0);
    elf_version(EV_CURRENT);
    e = elf_begin(fd, ELF_C_READ, NULL);
    assert_non_null(e);
    elf_getshdrstrndx(e, &shstrndx);
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        Elf_Data *d;
        const char *name;
        gelf_getshdr(scn, &sh);
        name = elf_strptr(e, shstrndx, sh.sh_name);
        d = elf_getdata(scn, NULL);
        if (!strcmp(name, ".fixture.sites")) {
            t->nsites = d->d_size / 8;
            t->sites = calloc(t->nsites, sizeof *t->sites);
            for (size_t i = 0; i < t->nsites; i++) {
                const unsigned char *p = (const unsigned char *)d->d_buf + 8 * i;
                t->sites[i].addr = le32(p);
                t->sites[i].cls = le32(p + 4);
                assert_true(t->sites[i].cls < 3);
                t->per_class[t->sites[i].cls]++;
            }
        } else if (!strcmp(name, ".fixture.data")) {
            t->ndata = d->d_size / 4;
            t->data = calloc(t->ndata, sizeof *t->data);
            for (size_t i = 0; i < t->ndata; i++)
                assert_true(addr_to_off(e, le32((const unsigned char *)d->d_buf + 4 * i),
                                        &t->data[i]));
        }
    }
    for (size_t i = 0; i < t->nsites; i++)
        assert_true(addr_to_off(e, t->sites[i].addr, &t->sites[i].off));
    elf_end(e);
    close(fd);
    assert_true(t->nsites > 700);
    assert_true(t->ndata > 10);
}

static void free_tables(struct fixture_tables *t)
{
    free(t->sites);
    free(t->data);
}

static const struct site *find_site(const struct fixture_tables *t, uint64_t off)
{
    for (size_t i = 0; i < t->nsites; i++)
        if (t->sites[i].off == off)
            return &t->sites[i];
    return NULL;
}

/* ------------------------------------------------------------------ tests: fixture */

static void print_stats(const char *what, const struct patch_stats *st)
{
    printf("[  counts  ] %s: mrs cpsr %lu, msr cpsr reg %lu, msr cpsr imm %lu, proxies %lu, "
           "invalid %lu, unpredictable %lu; %lu sections, %lu code words, %lu data words\n",
           what, st->mrs_cpsr, st->msr_cpsr_reg, st->msr_cpsr_imm, st->proxies,
           st->invalid_proxies, st->unpredictable, st->sections, st->code_words, st->data_words);
}

struct collected { uint64_t offs[4096]; size_t n; unsigned long kinds[PATCH_SITE_VIRTUAL_STATE + 1]; };

static void collect(const struct patch_site *s, void *ctx)
{
    struct collected *c = ctx;
    if (c->n < 4096 && s->kind != PATCH_SITE_VIRTUAL_STATE)   /* reported, never rewritten */
        c->offs[c->n++] = s->file_offset;
    c->kinds[s->kind]++;
}

static void test_patch_fixture(void **state)
{
    struct fixture_tables t;
    struct patch_stats st;
    char err[512];
    size_t lin, lout;
    unsigned char *in, *out;
    unsigned long changed = 0;
    (void)state;
    NEED_CROSS();

    read_tables(fx("fix.elf"), &t);
    assert_int_equal(patch_elf_file(fx("fix.elf"), fx("fix.p.elf"), &st, err, sizeof err), 0);
    print_stats("fixture patched", &st);
    assert_int_equal(st.mrs_cpsr, t.per_class[0]);
    assert_int_equal(st.msr_cpsr_reg, t.per_class[1]);
    assert_int_equal(st.msr_cpsr_imm, t.per_class[2]);
    assert_int_equal(patch_stats_sensitive(&st), t.nsites);
    assert_int_equal(st.proxies, 0);
    assert_int_equal(st.invalid_proxies, 0);
    assert_int_equal(st.unpredictable, 1);       /* the .inst 0xe10f0001 */
    assert_int_equal(st.sections, 4);            /* .init.text .text .vectors .stubs */

    in = read_all(fx("fix.elf"), &lin);
    out = read_all(fx("fix.p.elf"), &lout);
    assert_non_null(in);
    assert_non_null(out);
    assert_int_equal(lin, lout);
    /* exactly the recorded sites changed, each into its proxy */
    for (size_t off = 0; off < lin; off++) {
        if (in[off] == out[off])
            continue;
        const struct site *s = find_site(&t, off & ~(size_t)3);
        if (!s)
            fail_msg("byte at file offset 0x%zx changed but is no recorded site", off);
    }
    for (size_t i = 0; i < t.nsites; i++) {
        uint32_t a = le32(in + t.sites[i].off), b = le32(out + t.sites[i].off), p;
        struct insn din, dout;
        decode_arm(a, &din);
        decode_arm(b, &dout);
        assert_true(insn_is_proxy_candidate(&din));
        assert_int_equal(t.sites[i].cls, din.kind == INSN_MRS ? 0 : din.psr.imm ? 2 : 1);
        assert_true(proxy_from_original(a, &p));
        assert_int_equal(b, p);
        assert_int_equal(dout.kind, INSN_PROXY);
        assert_int_equal(dout.proxy.original, a);
        changed++;
    }
    /* the data look-alikes are untouched */
    for (size_t i = 0; i < t.ndata; i++) {
        uint32_t a = le32(in + t.data[i]);
        struct insn d;
        decode_arm(a, &d);
        assert_true(insn_is_proxy_candidate(&d) || proxy_in_space(a));
        assert_int_equal(le32(out + t.data[i]), a);
    }
    printf("[  counts  ] fixture: %lu sites rewritten, %zu data look-alikes untouched\n",
           changed, t.ndata);
    free(in);
    free(out);

    /* --check: input fails with every site listed, output passes */
    {
        static struct collected c;
        memset(&c, 0, sizeof c);
        assert_int_equal(patch_check_file(fx("fix.elf"), &st, collect, &c, err, sizeof err), 1);
        assert_int_equal(patch_stats_sensitive(&st), t.nsites);
        assert_int_equal(c.kinds[PATCH_SITE_MRS_CPSR], t.per_class[0]);
        assert_int_equal(c.kinds[PATCH_SITE_MSR_CPSR_REG], t.per_class[1]);
        assert_int_equal(c.kinds[PATCH_SITE_MSR_CPSR_IMM], t.per_class[2]);
        assert_int_equal(c.kinds[PATCH_SITE_UNPREDICTABLE], 1);
        assert_int_equal(c.kinds[PATCH_SITE_PROXY], 0);
        for (size_t i = 0; i < c.n; i++) {
            const struct site *s = find_site(&t, c.offs[i]);
            if (!s) {
                /* only the unpredictable word may be reported without being a site */
                size_t l;
                unsigned char *b = read_all(fx("fix.elf"), &l);
                assert_int_equal(le32(b + c.offs[i]), 0xe10f0001);
                free(b);
            }
        }
        memset(&c, 0, sizeof c);
        assert_int_equal(patch_check_file(fx("fix.p.elf"), &st, collect, &c, err, sizeof err), 0);
        print_stats("fixture --check after patch", &st);
        assert_int_equal(patch_stats_sensitive(&st), 0);
        assert_int_equal(st.proxies, t.nsites);
        assert_int_equal(c.kinds[PATCH_SITE_PROXY], t.nsites);   /* fastpath.c links these */
        assert_int_equal(c.kinds[PATCH_SITE_UNPREDICTABLE], 1);
    }
    free_tables(&t);
    assert_no_temp_files();
}

/* The trampoline linker finds the fixture's two interrupt saves in its patched image (the MRS
 * site of each, with its ORR) and none of the near misses. */
static void test_irqsave_sites(void **state)
{
    struct fastpath_sites s;
    uint32_t irq, both;
    char err[512];
    unsigned found = 0;
    (void)state;
    NEED_CROSS();

    assert_int_equal(patch_elf_file(fx("fix.elf"), fx("fix.irq.elf"), NULL, err, sizeof err), 0);
    assert_true(elf_file_symbol_value(fx("fix.elf"), "irqsave_irq", &irq));
    assert_true(elf_file_symbol_value(fx("fix.elf"), "irqsave_both", &both));
    if (fastpath_collect(fx("fix.irq.elf"), &s, err, sizeof err))
        fail_msg("fastpath_collect: %s", err);
    for (size_t i = 0; i < s.n; i++) {
        const struct fastpath_site *site = &s.site[i];
        if (!site->orr)
            continue;
        found++;
        if (site->va == irq)
            assert_int_equal(site->orr, 0xe3812080u);   /* orr r2, r1, #0x80 */
        else if (site->va == both)
            assert_int_equal(site->orr, 0xe389a0c0u);   /* orr r10, r9, #0xc0 */
        else
            fail_msg("site %08x taken for an interrupt save", site->va);
    }
    assert_int_equal(found, 2);
    fastpath_sites_free(&s);
}

/* The dead registers fastpath_collect() finds after each site of dead_fixture.S, as its
 * comments say: the exception table, the jump table and the section's end taken into account. */
static void test_dead_registers(void **state)
{
    static const struct { const char *site; uint16_t dead; } want[] = {
        { "site_plain", 0x0008 }, { "site_fixup", 0 }, { "site_load", 0x0084 },
        { "site_jump", 0x0002 }, { "site_end", 0x0200 },
    };
    struct fastpath_sites s;
    char err[512], in[300];
    (void)state;
    NEED_CROSS();

    snprintf(in, sizeof in, "%s", fx("dead_fixture.elf"));
    assert_int_equal(patch_elf_file(in, fx("dead.p.elf"), NULL, err, sizeof err), 0);
    if (fastpath_collect(fx("dead.p.elf"), &s, err, sizeof err))
        fail_msg("fastpath_collect: %s", err);
    assert_int_equal(s.n, 5);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint32_t va;
        const struct fastpath_site *site = NULL;
        assert_true(elf_file_symbol_value(in, want[i].site, &va));
        for (size_t k = 0; k < s.n; k++)
            site = s.site[k].va == va ? &s.site[k] : site;
        if (!site || site->dead != want[i].dead)
            fail_msg("%s: dead %04x, want %04x", want[i].site, site ? site->dead : 0xffffu,
                     want[i].dead);
    }
    fastpath_sites_free(&s);
}

static void test_patch_idempotent_and_in_place(void **state)
{
    struct patch_stats st;
    char err[512];
    (void)state;
    NEED_CROSS();

    assert_int_equal(patch_elf_file(fx("fix.elf"), fx("idem1.elf"), &st, err, sizeof err), 0);
    assert_int_equal(patch_elf_file(fx("idem1.elf"), fx("idem2.elf"), &st, err, sizeof err), 0);
    assert_int_equal(patch_stats_sensitive(&st), 0);
    assert_true(st.proxies > 700);
    assert_true(files_equal(fx("idem1.elf"), fx("idem2.elf")));
    assert_int_equal(patch_elf_file(fx("idem2.elf"), fx("idem3.elf"), &st, err, sizeof err), 0);
    assert_true(files_equal(fx("idem1.elf"), fx("idem3.elf")));

    /* OUT == IN */
    copy_file(fx("fix.elf"), fx("inplace.elf"));
    chmod(fx("inplace.elf"), 0751);
    assert_int_equal(patch_elf_file(fx("inplace.elf"), fx("inplace.elf"), &st, err, sizeof err), 0);
    assert_true(files_equal(fx("idem1.elf"), fx("inplace.elf")));
    {
        struct stat sb;
        assert_int_equal(stat(fx("inplace.elf"), &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0751);   /* the input's mode is kept */
    }
    assert_no_temp_files();
}

/* The headers, sections and symbols of the output, as binutils sees them, are the input's. */
static void test_patch_output_is_same_elf(void **state)
{
    static char a[1 << 17], b[1 << 17];
    char ra[] = "arm-none-eabi-readelf";
    (void)state;
    NEED_CROSS();
    assert_true(exists(fx("idem1.elf")));
    char *argv1[] = { ra, (char *)"-hlSsr", (char *)fx("fix.elf"), NULL };
    char *argv2[] = { ra, (char *)"-hlSsr", (char *)fx("idem1.elf"), NULL };
    assert_int_equal(run_capture(argv1, a, sizeof a), 0);
    assert_int_equal(run_capture(argv2, b, sizeof b), 0);
    assert_true(strlen(a) > 1000);
    assert_string_equal(a, b);
}

static void test_patch_relocatable(void **state)
{
    struct patch_stats st;
    char err[512];
    (void)state;
    NEED_CROSS();
    assert_int_equal(patch_elf_file(fx("fix.o"), fx("fix.p.o"), &st, err, sizeof err), 0);
    print_stats("fixture object file (ET_REL)", &st);
    assert_int_equal(patch_stats_sensitive(&st), 740);
    assert_int_equal(patch_check_file(fx("fix.p.o"), &st, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(st.proxies, 740);
}

/* ------------------------------------------------------------------ tests: CLI */

struct cli_result { int rc; char out[1 << 16]; char err[1 << 14]; };

static void read_capture(int fd, char *buf, size_t len)
{
    ssize_t n;
    lseek(fd, 0, SEEK_SET);
    n = read(fd, buf, len - 1);
    buf[n > 0 ? n : 0] = '\0';
}

static void run_cli(struct cli_result *r, int argc, const char **argv)
{
    char po[300], pe[300];
    int so, se, fo, fe;
    path_in(po, sizeof po, "cli.out");
    path_in(pe, sizeof pe, "cli.err");
    fflush(stdout);
    fflush(stderr);
    fo = open(po, O_RDWR | O_CREAT | O_TRUNC, 0600);
    fe = open(pe, O_RDWR | O_CREAT | O_TRUNC, 0600);
    so = dup(1);
    se = dup(2);
    dup2(fo, 1);
    dup2(fe, 2);
    r->rc = cmd_patch(argc, (char **)argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    read_capture(fo, r->out, sizeof r->out);
    read_capture(fe, r->err, sizeof r->err);
    close(fo);
    close(fe);
    unlink(po);
    unlink(pe);
}

#define CLI(r, ...) do { const char *av_[] = { "patch", __VA_ARGS__ }; \
    run_cli((r), (int)(sizeof av_ / sizeof av_[0]), av_); } while (0)

static void test_cli(void **state)
{
    static struct cli_result r;
    (void)state;

    CLI(&r, "-h");
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "usage: armvmm patch"));
    {
        const char *av[] = { "patch" };
        run_cli(&r, 1, av);
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, "no input file"));
    }
    CLI(&r, "--check");
    assert_int_equal(r.rc, 2);
    CLI(&r, "in.elf");
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "no output file"));
    CLI(&r, "--check", "in.elf", "-o", "x.elf");
    assert_int_equal(r.rc, 2);
    CLI(&r, "--frobnicate", "in.elf", "-o", "x.elf");
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "unknown option --frobnicate"));
    CLI(&r, "a.elf", "b.elf", "-o", "x.elf");
    assert_int_equal(r.rc, 2);
    CLI(&r, "a.elf", "-o");
    assert_int_equal(r.rc, 2);

    NEED_CROSS();
    CLI(&r, "--check", fx("fix.elf"));
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.out, "mrs r0, cpsr"));
    assert_non_null(strstr(r.out, "msrne cpsr_c, #0xff"));
    assert_non_null(strstr(r.out, "[unpatched]"));
    assert_non_null(strstr(r.out, "FAIL: 740 unpatched"));

    CLI(&r, fx("fix.elf"), "-o", fx("cli.p.elf"));
    assert_int_equal(r.rc, 0);
    printf("%s", r.out);
    assert_non_null(strstr(r.out, "rewritten"));
    assert_non_null(strstr(r.out, "740"));
    assert_non_null(strstr(r.err, "note:"));      /* the unpredictable MRS left alone */

    CLI(&r, "--check", fx("cli.p.elf"));
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "OK: no unpatched"));

    CLI(&r, "-q", "--output", fx("cli.q.elf"), fx("fix.elf"));
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    assert_true(files_equal(fx("cli.p.elf"), fx("cli.q.elf")));

    /* errors: exit 2, one line on stderr, no output file */
    CLI(&r, fx("thumb_fixture.elf"), "-o", fx("cli.t.elf"));
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "armvmm patch: "));
    assert_non_null(strstr(r.err, "Thumb code ($t)"));
    assert_non_null(strchr(r.err, '\n'));
    assert_string_equal(strchr(r.err, '\n'), "\n");   /* exactly one line */
    assert_false(exists(fx("cli.t.elf")));

    CLI(&r, "--check", fx("bad_proxy_fixture.elf"));
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.out, "[invalid proxy]"));
    CLI(&r, fx("bad_proxy_fixture.elf"), "-o", fx("cli.b.elf"));
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "not a valid proxy"));
    assert_false(exists(fx("cli.b.elf")));
    assert_no_temp_files();
}

/* ------------------------------------------------------------------ tests: bad input */

/* patch IN -> OUT must fail with msg; --check IN must fail too (check_rc -1) or report sites
 * (check_rc 1); check_rc 0: the input is fine, only the output is not. */
static void expect_failure_rc(const char *in, const char *out, const char *msg, int check_rc)
{
    char err[512] = "";
    struct patch_stats st;
    bool existed = out && *out && exists(out);
    int rc = patch_elf_file(in, out, &st, err, sizeof err);
    if (rc != -1)
        fail_msg("%s: patch succeeded, expected \"%s\"", in, msg);
    if (!strstr(err, msg))
        fail_msg("%s: error \"%s\", expected \"%s\"", in, err, msg);
    if (out && *out && !existed && exists(out))
        fail_msg("%s: output %s left behind", in, out);
    printf("[  error   ] %s\n", err);
    if (check_rc != 0) {
        rc = patch_check_file(in, &st, NULL, NULL, err, sizeof err);
        assert_int_equal(rc, check_rc);
    }
}

static void expect_failure(const char *in, const char *out, const char *msg)
{
    expect_failure_rc(in, out, msg, -1);
}

static void expect_output_failure(const char *out, const char *msg)
{
    expect_failure_rc(fx("fix.elf"), out, msg, 0);
}

static void mutate_file(const char *from, const char *to, size_t off, unsigned char val)
{
    size_t len;
    unsigned char *b = read_all(from, &len);
    assert_non_null(b);
    assert_true(off < len);
    b[off] = val;
    write_all(to, b, len);
    free(b);
}

static void test_bad_inputs(void **state)
{
    char out[300];
    (void)state;
    path_in(out, sizeof out, "bad.out.elf");

    expect_failure_rc(fx("does-not-exist.elf"), out, "cannot open", 0);
    write_all(fx("empty.elf"), "", 0);
    expect_failure(fx("empty.elf"), out, "not an ELF file");
    write_all(fx("text.elf"), "hello, world\n", 13);
    expect_failure(fx("text.elf"), out, "not an ELF file");
    expect_failure("/proc/self/exe", out, "not a 32-bit ELF file");
    expect_failure(tmpdir, out, "not a regular file");

    NEED_CROSS();
    mutate_file(fx("fix.elf"), fx("class64.elf"), EI_CLASS, ELFCLASS64);
    expect_failure(fx("class64.elf"), out, "not a 32-bit ELF file");
    mutate_file(fx("fix.elf"), fx("be.elf"), EI_DATA, ELFDATA2MSB);
    expect_failure(fx("be.elf"), out, "not a little-endian ELF file");
    mutate_file(fx("fix.elf"), fx("x86.elf"), 18, EM_386);
    expect_failure(fx("x86.elf"), out, "not an ARM ELF file");
    mutate_file(fx("fix.elf"), fx("core.elf"), 16, ET_CORE);
    expect_failure(fx("core.elf"), out, "unsupported ELF type");
    expect_failure(fx("stripped.elf"), out, "no symbol table");
    expect_failure(fx("nomap.elf"), out, "no mapping symbols");
    expect_failure(fx("thumb_fixture.elf"), out, "Thumb code ($t) in executable section .text");
    expect_failure_rc(fx("bad_proxy_fixture.elf"), out, "not a valid proxy", 1);

    /* output that cannot be written */
    expect_output_failure(fx("no-such-dir/out.elf"), "cannot create the output file");
    expect_output_failure("/proc/armvmm-test.elf", "cannot create the output file");
    mkdir(fx("a-directory"), 0755);
    expect_output_failure(fx("a-directory"), "cannot create the output file");
    assert_true(exists(fx("a-directory")));
    expect_output_failure(fx("a-directory/"), "names a directory");
    expect_output_failure("", "no output file");
    assert_no_temp_files();
}

/* Truncated at many offsets: always an error, never a crash, never an output file. */
static void test_truncated_inputs(void **state)
{
    size_t len, tried = 0;
    unsigned char *b;
    char err[512];
    const char *tr = fx("trunc.elf"), *out = fx("trunc.out.elf");
    clock_t t0 = clock();
    (void)state;
    NEED_CROSS();

    b = read_all(fx("fix.elf"), &len);
    assert_non_null(b);
    for (size_t cut = 0; cut < len; cut++) {
        if (!(cut < 512 || cut % 97 == 0 || cut + 512 > len))
            continue;
        write_all(tr, b, cut);
        if (patch_elf_file(tr, out, NULL, err, sizeof err) != -1)
            fail_msg("truncated at %zu of %zu: accepted", cut, len);
        if (err[0] == '\0')
            fail_msg("truncated at %zu: no message", cut);
        if (exists(out))
            fail_msg("truncated at %zu: output left behind", cut);
        if (patch_check_file(tr, NULL, NULL, NULL, err, sizeof err) != -1)
            fail_msg("truncated at %zu: --check accepted", cut);
        tried++;
    }
    free(b);
    printf("[  fuzz    ] %zu truncations of a %zu-byte ELF rejected (%.2f s)\n", tried, len,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    assert_no_temp_files();
}

/* Random byte mutations of the headers and tables: never a crash; an error leaves no file; a
 * success gives an output that --check accepts. */
static void test_mutated_inputs(void **state)
{
    size_t len;
    unsigned char *orig, *b;
    char err[512];
    const char *mu = fx("mut.elf"), *out = fx("mut.out.elf");
    uint32_t rng = 12345;
    unsigned long rejected = 0, accepted = 0, tries = 0;
    clock_t t0 = clock();
    Elf32_Ehdr eh;
    Elf32_Shdr *sh;
    (void)state;
    NEED_CROSS();

    orig = read_all(fx("fix.elf"), &len);
    assert_non_null(orig);
    b = malloc(len);
    memcpy(&eh, orig, sizeof eh);
    sh = (Elf32_Shdr *)(orig + eh.e_shoff);
    /* regions: ELF header, program headers, section headers, and symtab/strtab/shstrtab data */
    struct { size_t off, len; } reg[8];
    size_t nreg = 0;
    reg[nreg].off = 0; reg[nreg++].len = sizeof eh;
    reg[nreg].off = eh.e_phoff; reg[nreg++].len = (size_t)eh.e_phnum * eh.e_phentsize;
    reg[nreg].off = eh.e_shoff; reg[nreg++].len = (size_t)eh.e_shnum * eh.e_shentsize;
    for (unsigned i = 0; i < eh.e_shnum && nreg < 8; i++)
        if (sh[i].sh_type == SHT_SYMTAB || sh[i].sh_type == SHT_STRTAB) {
            reg[nreg].off = sh[i].sh_offset;
            reg[nreg++].len = sh[i].sh_size;
        }
    for (int i = 0; i < 600; i++) {
        int flips = 1 + (int)(rng % 3);
        memcpy(b, orig, len);
        for (int k = 0; k < flips; k++) {
            size_t r, off;
            rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
            r = (i % 4 == 3) ? 3 + rng % (nreg - 3) : rng % 3;   /* headers 3x more often */
            rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
            off = reg[r].off + rng % reg[r].len;
            rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
            b[off] ^= (unsigned char)(1 + rng % 255);
        }
        write_all(mu, b, len);
        tries++;
        if (patch_elf_file(mu, out, NULL, err, sizeof err) == 0) {
            int rc;
            accepted++;
            assert_true(exists(out));
            rc = patch_check_file(out, NULL, NULL, NULL, err, sizeof err);
            if (rc != 0)
                fail_msg("mutation %d: patched output fails --check (%d: %s)", i, rc, err);
            unlink(out);
        } else {
            rejected++;
            if (err[0] == '\0')
                fail_msg("mutation %d: error without message", i);
            if (exists(out))
                fail_msg("mutation %d: output left behind", i);
        }
        (void)patch_check_file(mu, NULL, NULL, NULL, err, sizeof err);
    }
    free(orig);
    free(b);
    printf("[  fuzz    ] %lu header/table mutations: %lu rejected with a message, %lu harmless "
           "(patched, --check clean) (%.2f s)\n", tries, rejected, accepted,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    assert_true(rejected > 100);
    assert_no_temp_files();
}

/* ------------------------------------------------------------------ Linux, when built */

/* Independent count: MRS/MSR-CPSR lines of `arm-none-eabi-objdump -d` (which honours the
 * mapping symbols too).  -1 if objdump is not available. */
static long objdump_cpsr_sites(const char *elf)
{
    char dis[300], line[512];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st;
    long n = 0;
    FILE *f;
    char *argv[] = { (char *)"arm-none-eabi-objdump", (char *)"-d", (char *)elf, NULL };

    path_in(dis, sizeof dis, "objdump.txt");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, dis, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    st = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (st != 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    f = fopen(dis, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if ((strstr(line, "\tmrs") && strstr(line, ", CPSR")) ||
            (strstr(line, "\tmsr") && strstr(line, "\tCPSR")))
            n++;
    fclose(f);
    unlink(dis);
    return n;
}

static void test_linux_vmlinux(void **state)
{
    const char *lo = getenv("LINUX_OUT");
    char vm[600], err[512];
    struct patch_stats st;
    clock_t t0;
    (void)state;

    if (!lo || !*lo) {
        printf("[  SKIPPED ] Linux vmlinux: LINUX_OUT is not set\n");
        skip();
    }
    snprintf(vm, sizeof vm, "%s/vmlinux", lo);
    if (!exists(vm)) {
        printf("[  SKIPPED ] Linux vmlinux: %s not present\n", vm);
        skip();
    }
    t0 = clock();
    assert_int_equal(patch_check_file(vm, &st, NULL, NULL, err, sizeof err), 1);
    print_stats("vmlinux --check before", &st);
    assert_true(st.mrs_cpsr > 100 && st.msr_cpsr_reg + st.msr_cpsr_imm > 100);
    {
        long od = objdump_cpsr_sites(vm);
        printf("[  linux   ] objdump -d counts %ld MRS/MSR-CPSR lines, the patcher %lu\n", od,
               patch_stats_sensitive(&st));
        if (od >= 0)
            assert_int_equal(od, patch_stats_sensitive(&st));
    }
    assert_int_equal(patch_elf_file(vm, fx("vmlinux.p"), &st, err, sizeof err), 0);
    print_stats("vmlinux patched", &st);
    assert_int_equal(patch_check_file(fx("vmlinux.p"), &st, NULL, NULL, err, sizeof err), 0);
    print_stats("vmlinux --check after", &st);
    assert_true(objdump_cpsr_sites(fx("vmlinux.p")) <= 0);
    assert_int_equal(patch_elf_file(fx("vmlinux.p"), fx("vmlinux.pp"), &st, err, sizeof err), 0);
    assert_int_equal(patch_stats_sensitive(&st), 0);
    assert_true(files_equal(fx("vmlinux.p"), fx("vmlinux.pp")));
    printf("[  linux   ] %s patched, checked and re-patched identically (%.1f s)\n", vm,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    unlink(fx("vmlinux.p"));
    unlink(fx("vmlinux.pp"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_fixture),
        cmocka_unit_test(test_irqsave_sites),
        cmocka_unit_test(test_patch_idempotent_and_in_place),
        cmocka_unit_test(test_patch_output_is_same_elf),
        cmocka_unit_test(test_patch_relocatable),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_truncated_inputs),
        cmocka_unit_test(test_mutated_inputs),
        cmocka_unit_test(test_linux_vmlinux),
        cmocka_unit_test(test_dead_registers),
    };
    return cmocka_run_group_tests_name("patch", tests, group_setup, group_teardown);
}
