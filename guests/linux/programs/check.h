/* Shared helpers for the armvmm guest test programs: each program prints exactly one
 * "PASS: name" or "FAIL: name: reason" line (plus, on failure, details before it). */
#ifndef ARMVMM_CHECK_H
#define ARMVMM_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

static const char *test_name = "unnamed";

static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
    va_list ap;

    printf("FAIL: %s: ", test_name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    exit(1);
}

static void __attribute__((noreturn)) pass(void)
{
    printf("PASS: %s\n", test_name);
    fflush(stdout);
    exit(0);
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

#endif
