/* The VMM's log: formatted lines on QEMU's stderr (semihosting), never on the guest console. */
#ifndef ARMVMM_LOG_H
#define ARMVMM_LOG_H

#define LOG_PREFIX "armvmm: "

/* No format attribute: newlib's uint32_t is `long`, and %x/%u here take 32-bit values. */
void log_printf(const char *fmt, ...);

/* One line of the VMM's own log, prefixed so it stands out from QEMU's messages. */
#define vmm_log(fmt, ...) log_printf(LOG_PREFIX fmt, ##__VA_ARGS__)

#endif
