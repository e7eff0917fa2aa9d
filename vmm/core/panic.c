#include "panic.h"

#include <stdarg.h>

#include "bootinfo.h"
#include "cp15.h"
#include "fmt.h"
#include "log.h"
#include "semihost.h"

void dump_frame(const struct trap_frame *f)
{
    const uint32_t *r = f->r;
    log_printf("  r0  %08x  r1  %08x  r2  %08x  r3  %08x\n", r[0], r[1], r[2], r[3]);
    log_printf("  r4  %08x  r5  %08x  r6  %08x  r7  %08x\n", r[4], r[5], r[6], r[7]);
    log_printf("  r8  %08x  r9  %08x  r10 %08x  r11 %08x\n", r[8], r[9], r[10], r[11]);
    log_printf("  r12 %08x  sp  %08x  lr  %08x  pc  %08x\n", r[12], f->sp, f->lr, f->pc);
    log_printf("  cpsr %08x  dfsr %08x  dfar %08x  ifsr %08x\n", f->cpsr, cp15_read_dfsr(),
               cp15_read_far(), cp15_read_ifsr());
}

static void panic_putc(char c, void *ctx)
{
    (void)ctx;
    char s[2] = { c, '\0' };
    semihost_write0(s);
}

_Noreturn void vmm_panic(const char *fmt, ...)
{
    va_list ap;
    semihost_write0(LOG_PREFIX "PANIC: ");
    va_start(ap, fmt);
    fmt_vformat(panic_putc, 0, fmt, ap);
    va_end(ap);
    semihost_write0("\n");
    semihost_exit(EXIT_VMM_PANIC);
}

_Noreturn void vmm_panic_trap(struct trap_frame *frame, unsigned kind)
{
    vmm_log("PANIC: %s exception inside the VMM\n", trap_kind_name(kind));
    dump_frame(frame);
    semihost_exit(EXIT_VMM_PANIC);
}
