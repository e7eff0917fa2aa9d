/* Domain-based virtual protection: real domain allocation and the real DACR it implies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vdomain.h"

#define TYPE(dacr, d) (((dacr) >> (2 * (d))) & 3)

static void test_allocation_is_stable_and_bounded(void **state)
{
    (void)state;
    struct vdomain_map m;
    vdomain_reset(&m);
    uint8_t k = vdomain_get(&m, 0, PAGE_PRIV_ONLY);
    uint8_t u = vdomain_get(&m, 1, PAGE_USER_VISIBLE);
    assert_int_not_equal(k, u);
    assert_int_equal(vdomain_get(&m, 0, PAGE_PRIV_ONLY), k);
    assert_int_equal(vdomain_get(&m, 1, PAGE_USER_VISIBLE), u);
    /* 64 (domain, class) pairs compete for 15 real domains. */
    unsigned got = 0;
    for (unsigned g = 0; g < 16; g++)
        for (unsigned c = 0; c < NR_PAGE_CLASSES; c++)
            if (vdomain_get(&m, g, (enum page_class)c) != VDOMAIN_NONE)
                got++;
    assert_int_equal(got, VDOMAIN_REAL_MAX);
    for (unsigned g = 0; g < 16; g++)
        for (unsigned c = 0; c < NR_PAGE_CLASSES; c++) {
            uint8_t r = m.real[g][c];
            assert_true(r == VDOMAIN_NONE || r < VDOMAIN_REAL_MAX);
        }
    vdomain_reset(&m);
    assert_int_equal(vdomain_get(&m, 7, PAGE_USER_VISIBLE), 0);
}

/* Every guest domain type, every class, both virtual privilege levels.  A split section's
 * pages (PAGE_SPLIT + class) are their class's, but Client in a Manager domain. */
static void test_real_dacr_truth_table(void **state)
{
    (void)state;
    static const struct {
        uint32_t guest_type;
        enum page_class c;
        uint32_t priv, user;
    } rows[] = {
        { 0, PAGE_USER_VISIBLE, 0, 0 }, { 0, PAGE_PRIV_ONLY, 0, 0 },
        { 1, PAGE_USER_VISIBLE, 1, 1 }, { 1, PAGE_PRIV_ONLY, 1, 0 },
        { 2, PAGE_USER_VISIBLE, 0, 0 }, { 2, PAGE_PRIV_ONLY, 0, 0 },
        { 3, PAGE_USER_VISIBLE, 3, 3 }, { 3, PAGE_PRIV_ONLY, 3, 3 },
        { 0, PAGE_SPLIT + PAGE_USER_VISIBLE, 0, 0 }, { 0, PAGE_SPLIT + PAGE_PRIV_ONLY, 0, 0 },
        { 1, PAGE_SPLIT + PAGE_USER_VISIBLE, 1, 1 }, { 1, PAGE_SPLIT + PAGE_PRIV_ONLY, 1, 0 },
        { 2, PAGE_SPLIT + PAGE_USER_VISIBLE, 0, 0 }, { 2, PAGE_SPLIT + PAGE_PRIV_ONLY, 0, 0 },
        { 3, PAGE_SPLIT + PAGE_USER_VISIBLE, 1, 1 }, { 3, PAGE_SPLIT + PAGE_PRIV_ONLY, 1, 1 },
    };
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct vdomain_map m;
        vdomain_reset(&m);
        for (unsigned g = 0; g < 16; g++) {
            uint8_t r = vdomain_get(&m, g, rows[i].c);
            if (r == VDOMAIN_NONE)
                break;
            uint32_t gdacr = rows[i].guest_type << (2 * g);
            uint32_t p = vdomain_real_dacr(&m, gdacr, true);
            uint32_t u = vdomain_real_dacr(&m, gdacr, false);
            assert_int_equal(TYPE(p, r), rows[i].priv);
            assert_int_equal(TYPE(u, r), rows[i].user);
            assert_int_equal(TYPE(p, VDOMAIN_VMM), 1);
            assert_int_equal(TYPE(u, VDOMAIN_VMM), 1);
        }
    }
}

/* Linux 6.1 with PAN: kernel Client, user domain toggled NoAccess/Client around uaccess. */
static void test_linux_pan_toggle_is_a_recompute(void **state)
{
    (void)state;
    struct vdomain_map m;
    vdomain_reset(&m);
    uint8_t kern = vdomain_get(&m, 0, PAGE_PRIV_ONLY);
    uint8_t user = vdomain_get(&m, 1, PAGE_USER_VISIBLE);
    uint32_t pan_on = 0x00000051u, pan_off = 0x00000055u;   /* D1 NoAccess / Client */
    assert_int_equal(TYPE(vdomain_real_dacr(&m, pan_on, true), user), 0);
    assert_int_equal(TYPE(vdomain_real_dacr(&m, pan_off, true), user), 1);
    assert_int_equal(TYPE(vdomain_real_dacr(&m, pan_off, true), kern), 1);
    assert_int_equal(TYPE(vdomain_real_dacr(&m, pan_off, false), kern), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocation_is_stable_and_bounded),
        cmocka_unit_test(test_real_dacr_truth_table),
        cmocka_unit_test(test_linux_pan_toggle_is_a_recompute),
    };
    return cmocka_run_group_tests_name("vdomain", tests, NULL, NULL);
}
