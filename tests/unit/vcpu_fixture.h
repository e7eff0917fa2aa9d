/* Shared by the vCPU and emulation unit tests: mode numbers and a vCPU + frame in a known
 * state (virtual SVC, interrupts enabled, r0-r12 = 0xa0.., sp 0xa0d, lr 0xa0e, the trapping
 * instruction at VCPU_FIXTURE_INSN). */
#ifndef TEST_VCPU_FIXTURE_H
#define TEST_VCPU_FIXTURE_H

#include "vcpu.h"

#define USR 0x10u
#define FIQ 0x11u
#define IRQ 0x12u
#define SVC 0x13u
#define ABT 0x17u
#define UND 0x1bu
#define SYS 0x1fu

#define VCPU_FIXTURE_INSN 0x8000u   /* the trapping instruction; f.pc = it + 4 */

static const uint32_t modes[7] = { USR, FIQ, IRQ, SVC, ABT, UND, SYS };

static inline void vcpu_fixture_reset(struct vcpu *v, struct trap_frame *f,
                                      const struct vcpu_ids *ids)
{
    vcpu_init(v, NULL, ids);
    *f = (struct trap_frame){ .cpsr = USR };
    for (unsigned i = 0; i < 13; i++)
        f->r[i] = 0xa0 + i;
    f->sp = 0xa0d;
    f->lr = 0xa0e;
    f->pc = VCPU_FIXTURE_INSN + 4;
    v->vcpsr = SVC;
}

#endif
