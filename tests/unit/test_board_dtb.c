/* The generated device tree of the VMM's virtual board (tools/armvmm/board_dtb.c): parsed back
 * with libfdt and checked against the device list (vboard_devices()) it is made from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board_dtb.h"
#include "linux_boot.h"
#include "vboard.h"

#define BUF_SIZE 16384
#define RAM      (128u << 20)

static uint8_t blob[BUF_SIZE];
static const struct board_dtb_params params = {
    .ram_size = RAM, .bootargs = "console=ttyAMA0 armvmm.tests=1",
    .initrd_gpa = 64u << 20, .initrd_size = 0x2f0123,
    .reserve_gpa = 0x00a00000, .reserve_size = 0x8000,
};

static void build(const struct board_dtb_params *p)
{
    int size = board_dtb_build(blob, sizeof(blob), p);
    assert_true(size > 0);
    assert_int_equal(fdt_check_header(blob), 0);
    assert_int_equal(fdt_totalsize(blob), (uint32_t)size);
}

static int node(const char *path)
{
    int off = fdt_path_offset(blob, path);
    if (off < 0)
        fail_msg("no node %s", path);
    return off;
}

static uint32_t cell(int off, const char *name, int index)
{
    int len;
    const fdt32_t *p = fdt_getprop(blob, off, name, &len);
    if (!p || len < 4 * (index + 1))
        fail_msg("%s: no cell %d of %s", fdt_get_name(blob, off, NULL), index, name);
    return fdt32_to_cpu(p[index]);
}

static int prop_len(int off, const char *name)
{
    int len;
    return fdt_getprop(blob, off, name, &len) ? len : -1;
}

static const char *string(int off, const char *name)
{
    const char *s = fdt_getprop(blob, off, name, NULL);
    if (!s)
        fail_msg("%s: no %s", fdt_get_name(blob, off, NULL), name);
    return s;
}

static int by_phandle(uint32_t ph)
{
    int off = fdt_node_offset_by_phandle(blob, ph);
    if (off < 0)
        fail_msg("no node with phandle %u", ph);
    return off;
}

/* The rate of a fixed-clock, or of a fixed-factor-clock over one. */
static uint64_t clock_rate(int off)
{
    if (!fdt_node_check_compatible(blob, off, "fixed-clock"))
        return cell(off, "clock-frequency", 0);
    assert_int_equal(fdt_node_check_compatible(blob, off, "fixed-factor-clock"), 0);
    assert_int_equal(cell(off, "#clock-cells", 0), 0);
    return clock_rate(by_phandle(cell(off, "clocks", 0))) * cell(off, "clock-mult", 0) /
           cell(off, "clock-div", 0);
}

/* The node of a device: at the root, or on the PrimeCell bus /fpga. */
static int device_node(const struct vboard_device *d)
{
    static const char *const prefix[] = {
        [VBOARD_DEV_CORE_MODULE] = "core-module", [VBOARD_DEV_CM_IRQ] = "cic",
        [VBOARD_DEV_PIC] = "pic", [VBOARD_DEV_SIC] = "sic", [VBOARD_DEV_TIMER] = "timer",
        [VBOARD_DEV_RTC] = "rtc", [VBOARD_DEV_UART] = "uart", [VBOARD_DEV_CP_CTRL] = "syscon",
    };
    char path[64];
    snprintf(path, sizeof(path), "%s/%s@%x", d->primecell ? "/fpga" : "", prefix[d->kind], d->base);
    return node(path);
}

static void test_root_memory_chosen_cpus(void **state)
{
    (void)state;
    build(&params);
    assert_string_equal(string(0, "compatible"), "arm,integrator-cp");
    assert_string_equal(string(0, "model"), BOARD_DTB_MODEL);
    assert_int_equal(cell(0, "#address-cells", 0), 1);
    assert_int_equal(cell(0, "#size-cells", 0), 1);

    int mem = node("/memory");   /* what QEMU and linux_prepare_dtb look up: memory@0 */
    assert_string_equal(fdt_get_name(blob, mem, NULL), "memory@0");
    assert_string_equal(string(mem, "device_type"), "memory");
    assert_int_equal(prop_len(mem, "reg"), 8);
    assert_int_equal(cell(mem, "reg", 0), 0);
    assert_int_equal(cell(mem, "reg", 1), RAM);
    uint64_t rsv_addr = 0, rsv_size = 0;   /* the trampolines' /memreserve/ */
    assert_int_equal(fdt_num_mem_rsv(blob), 1);
    assert_int_equal(fdt_get_mem_rsv(blob, 0, &rsv_addr, &rsv_size), 0);
    assert_int_equal(rsv_addr, params.reserve_gpa);
    assert_int_equal(rsv_size, params.reserve_size);

    int chosen = node("/chosen");
    assert_string_equal(string(chosen, "bootargs"), params.bootargs);
    assert_int_equal(cell(chosen, "linux,initrd-start", 0), params.initrd_gpa);
    assert_int_equal(cell(chosen, "linux,initrd-end", 0), params.initrd_gpa + params.initrd_size);
    assert_string_equal(string(chosen, "stdout-path"), "serial0:38400n8");

    int cpus = node("/cpus"), cpu = node("/cpus/cpu@0");
    assert_int_equal(cell(cpus, "#address-cells", 0), 1);
    assert_int_equal(cell(cpus, "#size-cells", 0), 0);
    assert_string_equal(string(cpu, "device_type"), "cpu");
    assert_string_equal(string(cpu, "compatible"), "arm,arm926ej-s");
    assert_int_equal(cell(cpu, "reg", 0), 0);
    int osc = by_phandle(cell(cpu, "clocks", 0));
    assert_string_equal(string(cpu, "clock-names"), "cpu");
    assert_int_equal(fdt_node_check_compatible(blob, osc, "arm,syscon-icst525-integratorcp-cm-core"),
                     0);
    assert_int_equal(fdt_parent_offset(blob, osc), node("/core-module@10000000"));
    assert_int_equal(cell(osc, "reg", 0), CM_OSC);
    assert_int_equal(cell(osc, "vco-offset", 0), CM_OSC);
    assert_int_equal(cell(osc, "lock-offset", 0), CM_LOCK);
    assert_int_equal(clock_rate(by_phandle(cell(osc, "clocks", 0))), CM_REFCNT_HZ);
}

static void test_chosen_without_bootargs_or_initrd(void **state)
{
    (void)state;
    const struct board_dtb_params p = { .ram_size = 32u << 20 };
    build(&p);
    int chosen = node("/chosen");
    assert_int_equal(prop_len(chosen, "bootargs"), -1);
    assert_int_equal(prop_len(chosen, "linux,initrd-start"), -1);
    assert_int_equal(prop_len(chosen, "linux,initrd-end"), -1);
    assert_int_equal(cell(node("/memory@0"), "reg", 1), 32u << 20);
}

/* Every device of the list: its node, compatible, reg, and interrupt (parent by phandle). */
static void test_every_device_described(void **state)
{
    (void)state;
    static const char *const compatible[] = {
        [VBOARD_DEV_CORE_MODULE] = "arm,core-module-integrator",
        [VBOARD_DEV_CM_IRQ] = "arm,versatile-fpga-irq", [VBOARD_DEV_PIC] = "arm,versatile-fpga-irq",
        [VBOARD_DEV_SIC] = "arm,versatile-fpga-irq", [VBOARD_DEV_TIMER] = "arm,integrator-cp-timer",
        [VBOARD_DEV_RTC] = "arm,pl031", [VBOARD_DEV_UART] = "arm,pl011",
        [VBOARD_DEV_CP_CTRL] = "arm,integrator-cp-syscon",
    };
    unsigned n;
    const struct vboard_device *devs = vboard_devices(&n);
    build(&params);
    int pic = node("/pic@14000000"), sic = node("/sic@ca000000");
    for (unsigned i = 0; i < n; i++) {
        const struct vboard_device *d = &devs[i];
        int off = device_node(d);
        assert_int_equal(fdt_node_check_compatible(blob, off, compatible[d->kind]), 0);
        assert_int_equal(fdt_node_check_compatible(blob, off, "arm,primecell"),
                         d->primecell ? 0 : 1);
        assert_int_equal(prop_len(off, "reg"), 8);
        assert_int_equal(cell(off, "reg", 0), d->base);
        assert_int_equal(cell(off, "reg", 1), d->size);
        if (d->irq_parent == VBOARD_PARENT_PIC || d->irq_parent == VBOARD_PARENT_SIC) {
            assert_int_equal(by_phandle(cell(off, "interrupt-parent", 0)),
                             d->irq_parent == VBOARD_PARENT_PIC ? pic : sic);
            assert_int_equal(prop_len(off, "interrupts"), 4);
            assert_int_equal(cell(off, "interrupts", 0), (uint32_t)d->irq);
        } else {
            assert_int_equal(prop_len(off, "interrupts"), -1);
            assert_int_equal(prop_len(off, "interrupt-parent"), -1);
        }
    }
}

static void test_interrupt_controllers(void **state)
{
    (void)state;
    build(&params);
    int pic = node("/pic@14000000"), sic = node("/sic@ca000000"), cic = node("/cic@10000040");
    struct { int off; uint32_t clear, valid; } ic[] = {
        { pic, 0xffffffffu, 0x1fc003ffu }, { cic, 0xffffffffu, 0x7u }, { sic, 0xfffu, 0xfffu },
    };
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(prop_len(ic[i].off, "interrupt-controller"), 0);
        assert_int_equal(cell(ic[i].off, "#interrupt-cells", 0), 1);
        assert_int_equal(cell(ic[i].off, "clear-mask", 0), ic[i].clear);
        assert_int_equal(cell(ic[i].off, "valid-mask", 0), ic[i].valid);
    }
    /* The PIC drives the CPU: no parent anywhere up the tree. The SIC is chained on PIC 26. */
    assert_int_equal(prop_len(pic, "interrupt-parent"), -1);
    assert_int_equal(prop_len(0, "interrupt-parent"), -1);
    assert_int_equal(prop_len(cic, "interrupt-parent"), -1);
    assert_int_equal(by_phandle(cell(sic, "interrupt-parent", 0)), pic);
    assert_int_equal(cell(sic, "interrupts", 0), VBOARD_IRQ_SIC);
    /* Linux creates the domains in tree order: the PIC first, as with the board's DTB. */
    assert_true(pic < cic && cic < sic);
    int fpga = node("/fpga");
    assert_int_equal(fdt_node_check_compatible(blob, fpga, "simple-bus"), 0);
    assert_int_equal(by_phandle(cell(fpga, "interrupt-parent", 0)), pic);
    assert_int_equal(prop_len(fpga, "ranges"), 0);
}

/* Timer 0 at 40 MHz (a fixed clock), timers 1-2 at 1 MHz (the 24 MHz crystal / 24), as the
 * device list says; the first timer node is timer 0 (Linux's clock source). */
static void test_timer_clocks(void **state)
{
    (void)state;
    unsigned n;
    const struct vboard_device *devs = vboard_devices(&n);
    build(&params);
    int first = fdt_node_offset_by_compatible(blob, -1, "arm,integrator-cp-timer");
    assert_string_equal(fdt_get_name(blob, first, NULL), "timer@13000000");
    unsigned timers = 0;
    for (unsigned i = 0; i < n; i++) {
        if (devs[i].kind != VBOARD_DEV_TIMER)
            continue;
        int clk = by_phandle(cell(device_node(&devs[i]), "clocks", 0));
        assert_int_equal(clock_rate(clk), devs[i].clock_hz);
        timers++;
    }
    assert_int_equal(timers, 3);
    assert_int_equal(clock_rate(by_phandle(cell(node("/timer@13000000"), "clocks", 0))), 40000000);
    int timclk = by_phandle(cell(node("/timer@13000100"), "clocks", 0));
    assert_int_equal(timclk, by_phandle(cell(node("/timer@13000200"), "clocks", 0)));
    assert_int_equal(fdt_node_check_compatible(blob, timclk, "fixed-factor-clock"), 0);
    assert_int_equal(cell(timclk, "clock-div", 0), 24);
    assert_string_equal(fdt_get_name(blob, by_phandle(cell(timclk, "clocks", 0)), NULL), "cm24mhz");
    assert_int_equal(clock_rate(timclk), 1000000);
}

static void test_primecell_clocks_and_aliases(void **state)
{
    (void)state;
    build(&params);
    const char *uarts[] = { "/fpga/uart@16000000", "/fpga/uart@17000000" };
    for (unsigned i = 0; i < 2; i++) {
        int u = node(uarts[i]);
        static const char names[] = "uartclk\0apb_pclk";
        assert_int_equal(prop_len(u, "clock-names"), sizeof(names));
        assert_memory_equal(fdt_getprop(blob, u, "clock-names", NULL), names, sizeof(names));
        assert_int_equal(prop_len(u, "clocks"), 8);
        assert_int_equal(clock_rate(by_phandle(cell(u, "clocks", 0))), 14745600);
        assert_string_equal(fdt_get_name(blob, by_phandle(cell(u, "clocks", 1)), NULL), "pclk");
        char alias[16];
        snprintf(alias, sizeof(alias), "serial%u", i);
        assert_string_equal(fdt_get_alias(blob, alias), uarts[i]);
    }
    int rtc = node("/fpga/rtc@15000000");
    assert_string_equal(string(rtc, "clock-names"), "apb_pclk");
    assert_int_equal(prop_len(rtc, "clocks"), 4);
    assert_string_equal(fdt_get_name(blob, by_phandle(cell(rtc, "clocks", 0)), NULL), "pclk");
}

/* Nothing the VMM does not emulate; every node with registers is a device of the list (or the
 * core module's oscillator, /memory, the CPU). */
static void test_only_emulated_devices(void **state)
{
    (void)state;
    static const char *const absent[] = {
        "arm,pl050", "arm,pl180", "arm,pl041", "arm,pl110", "smsc,lan91c111", "register-bit-led",
        "cfi-flash", "arm,external-bus-interface", "ti,ths8134", "vga-connector",
        "arm,syscon-icst525", "arm,syscon-icst525-integratorcp-cm-mem",
    };
    unsigned n, with_reg = 0;
    vboard_devices(&n);
    build(&params);
    for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        assert_int_equal(fdt_node_offset_by_compatible(blob, -1, absent[i]), -FDT_ERR_NOTFOUND);
    for (int off = fdt_next_node(blob, -1, NULL); off >= 0; off = fdt_next_node(blob, off, NULL))
        if (prop_len(off, "reg") >= 0)
            with_reg++;
    assert_int_equal(with_reg, n + 3);   /* + memory@0, cpu@0, clock-controller@8 */
    /* Every clock node has a consumer. */
    for (int off = fdt_next_node(blob, -1, NULL); off >= 0; off = fdt_next_node(blob, off, NULL)) {
        if (prop_len(off, "#clock-cells") < 0)
            continue;
        uint32_t ph = fdt_get_phandle(blob, off);
        bool used = false;
        for (int o = fdt_next_node(blob, -1, NULL); o >= 0 && !used; o = fdt_next_node(blob, o, NULL)) {
            int len;
            const fdt32_t *c = fdt_getprop(blob, o, "clocks", &len);
            for (int k = 0; c && k < len / 4; k++)
                used |= fdt32_to_cpu(c[k]) == ph;
        }
        if (!used)
            fail_msg("clock %s has no consumer", fdt_get_name(blob, off, NULL));
    }
}

/* Another board: no UART1, a 3 MHz and a 5 MHz timer. */
static void test_other_device_lists(void **state)
{
    (void)state;
    unsigned n, m = 0;
    const struct vboard_device *devs = vboard_devices(&n);
    struct vboard_device mine[16];
    for (unsigned i = 0; i < n; i++) {
        if (devs[i].kind == VBOARD_DEV_UART && devs[i].instance == 1)
            continue;
        mine[m] = devs[i];
        if (mine[m].kind == VBOARD_DEV_TIMER)
            mine[m].clock_hz = mine[m].instance == 1 ? 3000000 : 5000000;
        m++;
    }
    assert_true(board_dtb_build_devices(blob, sizeof(blob), mine, m, &params) > 0);
    assert_int_equal(fdt_path_offset(blob, "/fpga/uart@17000000"), -FDT_ERR_NOTFOUND);
    assert_null(fdt_get_alias(blob, "serial1"));
    assert_string_equal(fdt_get_alias(blob, "serial0"), "/fpga/uart@16000000");
    int t0 = by_phandle(cell(node("/timer@13000000"), "clocks", 0));
    int t1 = by_phandle(cell(node("/timer@13000100"), "clocks", 0));
    assert_int_equal(t0, by_phandle(cell(node("/timer@13000200"), "clocks", 0)));
    assert_int_equal(fdt_node_check_compatible(blob, t0, "fixed-clock"), 0);
    assert_int_equal(clock_rate(t0), 5000000);
    assert_int_equal(fdt_node_check_compatible(blob, t1, "fixed-factor-clock"), 0);
    assert_int_equal(cell(t1, "clock-div", 0), 8);
    assert_int_equal(clock_rate(t1), 3000000);

    /* A timer without a clock, or a kind the generator does not know, is refused. */
    mine[2].clock_hz = 0;
    assert_int_equal(board_dtb_build_devices(blob, sizeof(blob), mine, m, &params),
                     -FDT_ERR_BADVALUE);
    mine[2] = devs[2];
    mine[3].kind = (enum vboard_dev_kind)99;
    assert_int_equal(board_dtb_build_devices(blob, sizeof(blob), mine, m, &params),
                     -FDT_ERR_BADVALUE);
}

static void test_small_buffer(void **state)
{
    (void)state;
    assert_int_equal(board_dtb_build(blob, 256, &params), -FDT_ERR_NOSPACE);
}

/* The file `armvmm run` loads; and linux_prepare_dtb (--dtb's path) can refill it as QEMU does. */
static void test_write_and_refill(void **state)
{
    (void)state;
    char dir[] = "/tmp/armvmm-test-board-dtb-XXXXXX", path[64], path2[64], err[256];
    char args[3000];
    uint32_t size = 0, size2 = 0;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/board.dtb", dir);
    snprintf(path2, sizeof(path2), "%s/refilled.dtb", dir);
    memset(args, 'x', sizeof(args) - 1);   /* a long command line: the buffer grows with it */
    args[sizeof(args) - 1] = '\0';
    const struct board_dtb_params p = { .ram_size = RAM, .bootargs = args };
    assert_int_equal(board_dtb_write(path, &p, &size, err, sizeof(err)), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(blob, 1, sizeof(blob), f), size);
    fclose(f);
    assert_int_equal(fdt_check_header(blob), 0);
    assert_string_equal(string(node("/chosen"), "bootargs"), args);

    const struct board_dtb_params refill = { .ram_size = 64u << 20, .bootargs = "quiet",
                                             .initrd_gpa = 32u << 20, .initrd_size = 4096,
                                             .reserve_gpa = 0x00800000, .reserve_size = 0x6000 };
    assert_int_equal(linux_prepare_dtb(path, path2, &refill, &size2, err, sizeof(err)), 0);
    f = fopen(path2, "rb");
    assert_non_null(f);
    assert_int_equal(fread(blob, 1, sizeof(blob), f), size2);
    fclose(f);
    int mem = node("/memory");
    assert_string_equal(fdt_get_name(blob, mem, NULL), "memory@0");   /* updated, not added */
    assert_int_equal(cell(mem, "reg", 1), 64u << 20);
    assert_string_equal(string(node("/chosen"), "bootargs"), "quiet");
    assert_int_equal(cell(node("/chosen"), "linux,initrd-end", 0), (32u << 20) + 4096);
    uint64_t rsv_addr = 0, rsv_size = 0;   /* the trampolines' /memreserve/ */
    assert_int_equal(fdt_num_mem_rsv(blob), 1);
    assert_int_equal(fdt_get_mem_rsv(blob, 0, &rsv_addr, &rsv_size), 0);
    assert_int_equal(rsv_addr, 0x00800000);
    assert_int_equal(rsv_size, 0x6000);

    assert_int_equal(board_dtb_write("/nonexistent/dir/board.dtb", &p, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot write"));
    unlink(path);
    unlink(path2);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_memory_chosen_cpus),
        cmocka_unit_test(test_chosen_without_bootargs_or_initrd),
        cmocka_unit_test(test_every_device_described),
        cmocka_unit_test(test_interrupt_controllers),
        cmocka_unit_test(test_timer_clocks),
        cmocka_unit_test(test_primecell_clocks_and_aliases),
        cmocka_unit_test(test_only_emulated_devices),
        cmocka_unit_test(test_other_device_lists),
        cmocka_unit_test(test_small_buffer),
        cmocka_unit_test(test_write_and_refill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
