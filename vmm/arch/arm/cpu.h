/* ARMv5 processor state: CPSR fields and mode numbers (ARM ARM A2.5). */
#ifndef ARMVMM_CPU_H
#define ARMVMM_CPU_H

#define PSR_MODE_MASK   0x1f
#define PSR_MODE_USR    0x10
#define PSR_MODE_FIQ    0x11
#define PSR_MODE_IRQ    0x12
#define PSR_MODE_SVC    0x13
#define PSR_MODE_ABT    0x17
#define PSR_MODE_UND    0x1b
#define PSR_MODE_SYS    0x1f
#define PSR_T           (1 << 5)
#define PSR_F           (1 << 6)
#define PSR_I           (1 << 7)
#define PSR_FLAGS_MASK  0xf8000000   /* N Z C V Q */

#endif
