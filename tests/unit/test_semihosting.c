/* The guest semihosting exit rules the VMM applies (must match QEMU's -semihosting natively). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "semihosting.h"

static void test_exit_status(void **state)
{
    (void)state;
    assert_int_equal(semihost_exit_status(SEMIHOST_SYS_EXIT, SEMIHOST_ADP_APP_EXIT, 99), 0);
    assert_int_equal(semihost_exit_status(SEMIHOST_SYS_EXIT, 0x20023, 0), 1);
    assert_int_equal(semihost_exit_status(SEMIHOST_SYS_EXIT_EXTENDED, SEMIHOST_ADP_APP_EXIT, 3), 3);
    assert_int_equal(semihost_exit_status(SEMIHOST_SYS_EXIT_EXTENDED, SEMIHOST_ADP_APP_EXIT, 0), 0);
    assert_int_equal(semihost_exit_status(SEMIHOST_SYS_EXIT_EXTENDED, 0x20024, 3), 1);
}

static void test_is_call(void **state)
{
    (void)state;
    assert_true(semihost_is_call(0xef123456));    /* svc 0x123456 */
    assert_true(semihost_is_call(0x0f123456));    /* svceq 0x123456 */
    assert_false(semihost_is_call(0xef000000));   /* svc 0: a guest system call */
    assert_false(semihost_is_call(0xef123457));
    assert_false(semihost_is_call(0xe7123456));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_status),
        cmocka_unit_test(test_is_call),
    };
    return cmocka_run_group_tests_name("semihosting", tests, NULL, NULL);
}
