/* System tests of the virtual board (issue 9): the interrupt guest, the echo guest fed from
 * stdin, UART1 on a file (--serial1) and UART1 passed through (--passthrough uart1), each run
 * natively and under the VMM.  The tests need no group setup: they find build/armvmm themselves
 * (ARMVMM_BUILD, default "build", relative to the current directory: the repository root).
 *
 *     _cmocka_run_group_tests("board (QEMU)", board_tests, board_tests_count, NULL, NULL);
 */
#ifndef TEST_BOARD_TESTS_H
#define TEST_BOARD_TESTS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

extern const struct CMUnitTest board_tests[];
extern const size_t board_tests_count;

#endif
