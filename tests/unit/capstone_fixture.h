/* Shared by the unit tests that use capstone as an oracle: one ARM-mode handle with operand
 * details, opened and closed as a cmocka group fixture. */
#ifndef TEST_CAPSTONE_FIXTURE_H
#define TEST_CAPSTONE_FIXTURE_H

#include <capstone/capstone.h>

static csh cs;

static int cs_setup(void **state)
{
    (void)state;
    if (cs_open(CS_ARCH_ARM, CS_MODE_ARM, &cs) != CS_ERR_OK)
        return -1;
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    return 0;
}

static int cs_teardown(void **state)
{
    (void)state;
    cs_close(&cs);
    return 0;
}

#endif
