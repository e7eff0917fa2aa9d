#include "access.h"

#include "cpu.h"

volatile struct access_abort access_abort;
static volatile uint32_t expected, fetch_target;

void access_expect(uint32_t target)
{
    fetch_target = target;
    expected = 1;
}

void access_done(void)
{
    expected = 0;
}

int access_take_abort(uint32_t kind, uint32_t *regs)
{
    uint32_t at = regs[13] - 4;   /* data abort: the instruction; prefetch: its address */

    if (!expected)
        return 0;
    if (kind == 4 && at >= (uint32_t)acc_start && at < (uint32_t)acc_end) {
        access_abort.fsr = CP15_READ(c5, 0, c0, 0);
    } else if (kind == 3 && at == fetch_target) {
        access_abort.fsr = CP15_READ(c5, 0, c0, 1);
        regs[13] = (uint32_t)fetch_back;
    } else {
        return 0;
    }
    access_abort.kind = kind;
    access_abort.far = CP15_READ(c6, 0, c0, 0);
    access_abort.count++;
    return 1;
}
