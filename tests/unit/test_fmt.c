/* The shared freestanding printf engine (VMM log and test guests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "fmt.h"

static char out[128];

static int format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(out, sizeof(out), fmt, ap);
    va_end(ap);
    return n;
}

static void test_numbers(void **state)
{
    (void)state;
    format("%u %d %d %x %X %08x", 42u, -7, 0, 0xbeefu, 0xbeefu, 0x1234u);
    assert_string_equal(out, "42 -7 0 beef BEEF 00001234");
    format("%d", (int32_t)0x80000000);
    assert_string_equal(out, "-2147483648");
    format("%4u|%-6s|%6s|", 7u, "ab", "cd");
    assert_string_equal(out, "   7|ab    |    cd|");
    format("%-5u|%-3x|", 42u, 0xau);
    assert_string_equal(out, "42   |a  |");
}

static void test_strings_and_escapes(void **state)
{
    (void)state;
    format("%s %c %% %s", "vm0", 'x', (char *)NULL);
    assert_string_equal(out, "vm0 x % (null)");
    format("%q");
    assert_string_equal(out, "%q");
}

static int bounded(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void test_bounded_output(void **state)
{
    (void)state;
    char small[5] = "XXXX";
    assert_int_equal(bounded(small, sizeof(small), "%s", "0123456789"), 10);
    assert_string_equal(small, "0123");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings_and_escapes),
        cmocka_unit_test(test_bounded_output),
    };
    return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
