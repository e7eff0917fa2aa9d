/* Address types.  Guest-physical, host-physical and virtual addresses are different things that
 * are all 32-bit numbers on this machine; wrapping them in distinct structs makes the compiler
 * reject mixing them up (the Hafnium convention). */
#ifndef ARMVMM_ADDR_H
#define ARMVMM_ADDR_H

#include <stdint.h>

typedef struct { uint32_t pa; } hpa_t;   /* host-physical: what QEMU's board decodes */
typedef struct { uint32_t pa; } gpa_t;   /* guest-physical: what a VM believes is physical */
typedef uint32_t vaddr_t;                /* a virtual address in the current translation regime */

static inline hpa_t hpa(uint32_t a) { return (hpa_t){ a }; }
static inline gpa_t gpa(uint32_t a) { return (gpa_t){ a }; }

#endif
