/* Emulation of the ARMv5 sensitive instructions against a virtual CPU (paper §4.2).  Pure: the
 * registers are a trap frame, memory goes through the guest_access.h hooks, and the outcome is
 * reported as flags for the VMM to act on -- nothing here touches hardware, so it runs
 * unchanged in the host unit tests.  docs/VCPU.md lists every emulated instruction.
 *
 * The VMM calls emulate_insn() for an undefined-instruction trap from the guest in ARM state,
 * with the trapping word (at f->pc - 4; f->pc is the next instruction, the UND frame
 * convention).  On return the frame and the vCPU hold the state after the instruction, except:
 *
 *   EMU_F_UND   nothing changed: deliver the undefined-instruction exception
 *               (emu_deliver_exception() does it: LR_und = f->pc).
 *   EMU_F_DABT  an emulated access aborted: registers unchanged, virtual DFSR/FAR set; deliver
 *               the data abort (emu_deliver_exception(): LR_abt = instruction + 8).
 *
 * Conditions are honoured first: a failed condition changes nothing (EMU_F_COND_FAILED) and the
 * guest continues at f->pc.  The other flags (vcpu.h) say what else the VMM must do before it
 * resumes the guest; the EMU_F_STATE ones are also left in vcpu.changed.
 */
#ifndef ARMVMM_EMULATE_H
#define ARMVMM_EMULATE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "trap.h"
#include "vcpu.h"

struct emu_result {
    uint32_t flags;      /* EMU_F_* */
    uint32_t operand;    /* EMU_F_TLB_MVA: the MVA; EMU_F_CACHE, EMU_F_TLB_ALL: Rd as written */
    uint8_t  cp_crm;     /* EMU_F_CACHE / EMU_F_TLB_*: CRm and opc2 of the c7/c8 operation */
    uint8_t  cp_opc2;
    uint8_t  old_mode;   /* the virtual mode before the instruction */
    uint8_t  kind;       /* enum insn_kind of the word (for statistics) */
};

/* Emulates the trapping instruction `word` (ARM state) of a guest running on v. */
struct emu_result emulate_insn(struct vcpu *v, struct trap_frame *f, uint32_t word);

/* Delivers the exception a result asks for (EMU_F_UND or EMU_F_DABT), with the link values the
 * hardware uses for an instruction at f->pc - 4.  True if it delivered one. */
bool emu_deliver_exception(struct vcpu *v, struct trap_frame *f, const struct emu_result *r);

/* ARM condition code check against the flags of a CPSR value (cond 0..14; AL and NV pass). */
bool emu_cond_passed(unsigned cond, uint32_t cpsr);

#endif
