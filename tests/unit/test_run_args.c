/* `armvmm run` option parsing and the boot information it hands the VMM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "memlayout.h"
#include "run.h"

static char err[256];

static int parse(int argc, const char **argv, struct run_options *opt)
{
    return run_parse_args(argc, (char **)argv, opt, err, sizeof(err));
}

static void test_defaults(void **state)
{
    (void)state;
    struct run_options o;
    const char *argv[] = { "run", "g.elf" };
    assert_int_equal(parse(2, argv, &o), 0);
    assert_int_equal(o.mem_mb, 128);
    assert_int_equal(o.timeout_s, 0);
    assert_false(o.icount || o.stats || o.gdb || o.native);
    assert_string_equal(o.guest, "g.elf");
}

static void test_every_option(void **state)
{
    (void)state;
    struct run_options o;
    const char *argv[] = { "run", "--timeout", "5", "--mem", "64", "--icount", "--stats",
                           "--trace", "--gdb", "--native", "--dtb", "b.dtb", "--initrd", "i",
                           "--append", "console=ttyAMA0 x=1", "g.elf" };
    assert_int_equal(parse(17, argv, &o), 0);
    assert_string_equal(o.dtb, "b.dtb");
    assert_string_equal(o.initrd, "i");
    assert_string_equal(o.append, "console=ttyAMA0 x=1");
    assert_int_equal(o.timeout_s, 5);
    assert_int_equal(o.mem_mb, 64);
    assert_true(o.icount && o.stats && o.trace && o.gdb && o.native);
    assert_false(o.stats_all);
    const char *all[] = { "run", "--stats-all", "g.elf" };   /* --stats, every site listed */
    assert_int_equal(parse(3, all, &o), 0);
    assert_true(o.stats && o.stats_all);
    const char *eq[] = { "run", "--mem=240", "g.elf" };
    assert_int_equal(parse(3, eq, &o), 0);
    assert_int_equal(o.mem_mb, VM_RAM_MAX_MB);
}

static void test_errors(void **state)
{
    (void)state;
    struct run_options o;
    const char *bad[][4] = {
        { "run", "--mem", "0", "g" },    { "run", "--mem", "241", "g" },
        { "run", "--mem", "-1", "g" },   { "run", "--mem", "12x", "g" },
        { "run", "--timeout", "0", "g" }, { "run", "--bogus", "g", "h" },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(parse(4, bad[i], &o), -1);
        assert_true(strlen(err) > 0);
    }
    const char *none[] = { "run", "--stats" };
    assert_int_equal(parse(2, none, &o), -1);
    assert_string_equal(err, "no GUEST given");
    const char *help[] = { "run", "--help" };
    assert_int_equal(parse(2, help, &o), 1);
}

static void test_bootinfo(void **state)
{
    (void)state;
    struct run_vm vms[2] = {
        { .opt = { .mem_mb = 64, .stats = true, .guest = "/x/y/hello.elf" },
          .plan = { .img = { .entry = 0x10000 }, .ram_size = 64u << 20, .r1 = 0x113,
                    .r2 = 0x2000000 },
          .ram_hpa = VM_RAM_POOL_BASE },
        { .opt = { .mem_mb = 32, .guest = "/z/hello.elf" },
          .plan = { .img = { .entry = 0x8000 }, .ram_size = 32u << 20 },
          .ram_hpa = VM_RAM_POOL_BASE + (64u << 20) },
    };
    struct bootinfo bi;
    run_fill_bootinfo(vms, 2, &bi);
    assert_int_equal(bi.magic, BOOTINFO_MAGIC);
    assert_int_equal(bi.version, BOOTINFO_VERSION);
    assert_int_equal(bi.flags, BOOT_FLAG_STATS);
    vms[0].opt.stats_all = true;
    run_fill_bootinfo(vms, 2, &bi);
    assert_int_equal(bi.flags, BOOT_FLAG_STATS | BOOT_FLAG_STATS_ALL);
    vms[0].opt.stats_all = false;
    run_fill_bootinfo(vms, 2, &bi);
    assert_int_equal(bi.nr_vms, 2);
    assert_int_equal(bi.vm[0].ram_hpa, VM_RAM_POOL_BASE);
    assert_int_equal(bi.vm[0].ram_size, 64u << 20);
    assert_int_equal(bi.vm[0].entry, 0x10000);
    assert_int_equal(bi.vm[0].r0, 0);
    assert_int_equal(bi.vm[0].r1, 0x113);
    assert_int_equal(bi.vm[0].r2, 0x2000000);
    assert_int_equal(bi.vm[0].passthrough, 0);
    assert_string_equal(bi.vm[0].name, "hello");
    assert_int_equal(bi.vm[1].ram_hpa, VM_RAM_POOL_BASE + (64u << 20));
    assert_string_equal(bi.vm[1].name, "hello.1");
}

/* --vm groups: per-VM options, run-wide ones only first, RAM partitioned, limits refused. */
static void test_several_vms(void **state)
{
    (void)state;
    struct run_vm vms[4];
    char err2[256];
    const char *two[] = { "run", "--stats", "--mem", "16", "/bin/sh", "--vm", "--mem", "8", "/bin/sh" };
    /* /bin/sh is not an ARM guest: planning fails, but only after the split was accepted. */
    assert_int_equal(run_parse_vms(9, (char **)two, vms, 4, err2, sizeof(err2)), -1);
    assert_non_null(strstr(err2, "not a 32-bit little-endian ELF"));
    const char *wide[] = { "run", "g", "--vm", "--stats", "h" };
    assert_int_equal(run_parse_vms(5, (char **)wide, vms, 4, err2, sizeof(err2)), -1);
    assert_non_null(strstr(err2, "--stats applies to the whole run"));
    const char *wide_all[] = { "run", "g", "--vm", "--stats-all", "h" };
    assert_int_equal(run_parse_vms(5, (char **)wide_all, vms, 4, err2, sizeof(err2)), -1);
    assert_non_null(strstr(err2, "--stats-all applies to the whole run"));
    const char *many[] = { "run", "a", "--vm", "b", "--vm", "c", "--vm", "d", "--vm", "e" };
    assert_int_equal(run_parse_vms(10, (char **)many, vms, 4, err2, sizeof(err2)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_bootinfo),
        cmocka_unit_test(test_several_vms),
    };
    return cmocka_run_group_tests_name("run options", tests, NULL, NULL);
}
