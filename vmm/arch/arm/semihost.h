/* The VMM's own use of ARM semihosting (QEMU -semihosting): its log channel (stderr) and the way
 * it ends QEMU with a status.  Only ever called from a privileged mode. */
#ifndef ARMVMM_SEMIHOST_H
#define ARMVMM_SEMIHOST_H

#include <stdint.h>

void semihost_write0(const char *s);
_Noreturn void semihost_exit(uint32_t status);

#endif
