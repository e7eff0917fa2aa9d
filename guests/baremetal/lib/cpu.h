/* Privileged-instruction helpers for the test guests.  Plain instructions: under the VMM they
 * trap (or are patched into proxies by `armvmm patch`) and are emulated. */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdint.h>

#define MODE_USR 0x10u
#define MODE_FIQ 0x11u
#define MODE_IRQ 0x12u
#define MODE_SVC 0x13u
#define MODE_ABT 0x17u
#define MODE_UND 0x1bu
#define MODE_SYS 0x1fu
#define PSR_IF   0xc0u

static inline uint32_t cpsr_read(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, cpsr" : "=r"(v));
    return v;
}

static inline uint32_t spsr_read(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, spsr" : "=r"(v));
    return v;
}

static inline void spsr_write(uint32_t v)
{
    __asm__ volatile("msr spsr_cxsf, %0" ::"r"(v) : "memory");
}

#define CP15_READ(crn, op1, crm, op2)                                                   \
    ({                                                                                  \
        uint32_t v_;                                                                    \
        __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v_)); \
        v_;                                                                             \
    })
#define CP15_WRITE(crn, op1, crm, op2, v)                                               \
    __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 ::"r"(v) : "memory")

#endif
