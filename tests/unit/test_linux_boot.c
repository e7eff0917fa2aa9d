/* Linux boot support of `armvmm run`: recognising kernels, refusing zImages, filling the DTB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux_boot.h"

static char dir[] = "/tmp/armvmm-test-linux-XXXXXX", path_in[128], path_out[128];
static char err[512];

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void test_zimage_is_refused_with_advice(void **state)
{
    (void)state;
    uint8_t img[64] = { 0 };
    uint32_t magic = 0x016f2818u;
    enum guest_kind kind;
    memcpy(img + 0x24, &magic, 4);
    write_file(path_in, img, sizeof(img));
    assert_int_equal(linux_classify(path_in, &kind, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "is a zImage"));
    assert_non_null(strstr(err, "vmlinux"));
}

static void test_other_files_are_not_linux(void **state)
{
    (void)state;
    enum guest_kind kind = GUEST_LINUX;
    write_file(path_in, "hello\n", 6);
    assert_int_equal(linux_classify(path_in, &kind, err, sizeof(err)), 0);
    assert_int_equal(kind, GUEST_BAREMETAL);
    assert_int_equal(linux_classify("/nonexistent", &kind, err, sizeof(err)), -1);
}

static uint32_t prop_u32(const void *fdt, const char *node, const char *name, int index)
{
    int len, off = fdt_path_offset(fdt, node);
    assert_true(off >= 0);
    const fdt32_t *p = fdt_getprop(fdt, off, name, &len);
    assert_non_null(p);
    assert_true(len >= 4 * (index + 1));
    return fdt32_to_cpu(p[index]);
}

static const struct board_dtb_params fill = {
    .ram_size = 64u << 20, .bootargs = "console=ttyAMA0 quiet",
    .initrd_gpa = 0x02000000u, .initrd_size = 0x1234u,
};
static const struct board_dtb_params empty = { .ram_size = 1u << 20 };

static void test_dtb_is_filled_as_qemu_would(void **state)
{
    (void)state;
    char blob[1024];
    uint32_t size;
    assert_int_equal(fdt_create_empty_tree(blob, sizeof(blob)), 0);
    assert_int_equal(fdt_setprop_u32(blob, 0, "#address-cells", 1), 0);
    assert_true(fdt_add_subnode(blob, 0, "memory") >= 0);
    fdt_pack(blob);
    write_file(path_in, blob, fdt_totalsize(blob));

    assert_int_equal(linux_prepare_dtb(path_in, path_out, &fill, &size, err, sizeof(err)), 0);
    FILE *f = fopen(path_out, "rb");
    char out[4096];
    size_t n = fread(out, 1, sizeof(out), f);
    fclose(f);
    assert_int_equal(n, size);
    assert_int_equal(fdt_check_header(out), 0);
    assert_int_equal(prop_u32(out, "/memory", "reg", 0), 0);
    assert_int_equal(prop_u32(out, "/memory", "reg", 1), 64u << 20);
    assert_int_equal(prop_u32(out, "/chosen", "linux,initrd-start", 0), 0x02000000u);
    assert_int_equal(prop_u32(out, "/chosen", "linux,initrd-end", 0), 0x02001234u);
    const char *args = fdt_getprop(out, fdt_path_offset(out, "/chosen"), "bootargs", NULL);
    assert_string_equal(args, "console=ttyAMA0 quiet");
    assert_int_equal(fdt_num_mem_rsv(out), 0);   /* no trampolines asked for */
}

static void test_bad_dtb_is_refused(void **state)
{
    (void)state;
    uint32_t size;
    write_file(path_in, "not a device tree at all, sorry", 31);
    assert_int_equal(linux_prepare_dtb(path_in, path_out, &empty, &size, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a flattened device tree"));
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path_in, sizeof(path_in), "%s/in", dir);
    snprintf(path_out, sizeof(path_out), "%s/out", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path_in);
    unlink(path_out);
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zimage_is_refused_with_advice),
        cmocka_unit_test(test_other_files_are_not_linux),
        cmocka_unit_test(test_dtb_is_filled_as_qemu_would),
        cmocka_unit_test(test_bad_dtb_is_refused),
    };
    return cmocka_run_group_tests_name("linux boot", tests, setup, teardown);
}
