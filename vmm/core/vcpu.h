/* The virtual CPU: seven virtual processor modes on top of the real User mode, the virtual
 * banked registers, the virtual CPSR/SPSRs, exception entry and return, the virtual CP15 and
 * VFP control state (paper §3.5/§4.2).  Pure (no hardware access): compiled into the VMM and
 * into the host unit tests.  docs/VCPU.md describes the model.
 *
 * Where the registers are.  While a trap is handled, the guest's live registers are a
 * struct trap_frame: r0-r12, sp, lr, pc of the guest's CURRENT virtual mode (they are the real
 * User-mode registers) and the real CPSR, whose N Z C V Q flags and T bit are the guest's.  The
 * rest of the virtual CPSR (mode, A, I, F) is vcpu.vcpsr.  Every other mode's banked registers
 * live in struct vcpu: the slot of the current mode's bank is stale while that mode is current.
 * When the vCPU is not on the CPU its frame is vcpu.regs; every function here takes the frame to
 * work on explicitly, so it works on either.
 *
 * Every virtual mode change goes through vcpu_set_mode() (bank swap); it records EMU_F_MODE in
 * vcpu.changed, which is how the VMM learns it must switch real domains (guest kernel vs guest
 * user).  vcpu.changed accumulates every such state change (EMU_F_STATE) until the VMM takes it
 * with vcpu_take_changes() before it resumes the guest.
 */
#ifndef ARMVMM_VCPU_H
#define ARMVMM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"
#include "trap.h"
#include "vcp15.h"

/* ---------------------------------------------------------------- result / change flags
 * emulate_insn() returns them (struct emu_result.flags); the EMU_F_STATE ones are also
 * accumulated in vcpu.changed by whatever made the change.  What the VMM does with each:
 * docs/VCPU.md, "Result flags". */
#define EMU_F_UND          (1u << 0)   /* deliver the undefined-instruction exception */
#define EMU_F_DABT         (1u << 1)   /* deliver a data abort (virtual DFSR/FAR already set) */
#define EMU_F_WFI          (1u << 2)   /* wait for interrupt, then continue */
#define EMU_F_MODE         (1u << 3)   /* virtual mode changed (real domains: recompute) */
#define EMU_F_IRQ_UNMASK   (1u << 4)   /* virtual I or F went from 1 to 0: check pending */
#define EMU_F_MMU          (1u << 5)   /* SCTLR M/A/S/R/V, TTBR0/1, TTBCR, FCSE PID or context
                                          ID changed */
#define EMU_F_DACR         (1u << 6)   /* virtual DACR changed: recompute the real DACR */
#define EMU_F_VFP          (1u << 7)   /* virtual FPEXC changed: real FPEXC.EN := virtual */
#define EMU_F_TLB_ALL      (1u << 8)   /* guest TLB invalidate: everything */
#define EMU_F_TLB_MVA      (1u << 9)   /* guest TLB invalidate: one entry, MVA in .operand */
#define EMU_F_TLB_I        (1u << 10)  /* ... of the instruction TLB */
#define EMU_F_TLB_D        (1u << 11)  /* ... of the data TLB (both: unified) */
#define EMU_F_CACHE        (1u << 12)  /* c7 cache operation (.cp_crm/.cp_opc2/.operand) */
#define EMU_F_EXC_RETURN   (1u << 13)  /* informative: an exception return (CPSR = SPSR) */
#define EMU_F_COND_FAILED  (1u << 14)  /* informative: condition failed, nothing done */

#define EMU_F_STATE (EMU_F_MODE | EMU_F_IRQ_UNMASK | EMU_F_MMU | EMU_F_DACR | EMU_F_VFP)

/* ---------------------------------------------------------------- PSR bits (unsigned) */
#define VPSR_MODE   0x0000001fu
#define VPSR_T      0x00000020u
#define VPSR_F      0x00000040u
#define VPSR_I      0x00000080u
#define VPSR_A      0x00000100u   /* QEMU keeps it (imprecise-abort mask, ARMv6); see VCPU.md */
#define VPSR_IL     0x00100000u   /* SPSR bit QEMU keeps (ARMv8 IL) */
#define VPSR_J      0x01000000u
#define VPSR_Q      0x08000000u
#define VPSR_NZCV   0xf0000000u
#define VPSR_FLAGS  0xf8000000u   /* N Z C V Q */

/* What vcpu.vcpsr holds: everything of the virtual CPSR but the flags and T (in the frame). */
#define VCPU_VCPSR_BITS   (VPSR_MODE | VPSR_F | VPSR_I | VPSR_A)
/* What the frame's cpsr carries for the guest. */
#define VCPU_FRAME_BITS   (VPSR_FLAGS | VPSR_T)

/* Bits an MSR may change (QEMU arm926, measured): CPSR from a privileged mode, CPSR from User
 * mode, any SPSR; and what an exception return copies from the SPSR (J and IL dropped). */
#define VCPU_MSR_CPSR_PRIV  0xf80001dfu
#define VCPU_MSR_CPSR_USER  VPSR_FLAGS
#define VCPU_MSR_SPSR       0xf91001ffu
#define VCPU_ERET_BITS      0xf80001ffu

#define PSR_FIELD_ALL (PSR_FIELD_C | PSR_FIELD_X | PSR_FIELD_S | PSR_FIELD_F)

/* ---------------------------------------------------------------- the vCPU */

/* Register banks: USR and SYS share one. */
enum vbank { VBANK_USR, VBANK_FIQ, VBANK_IRQ, VBANK_SVC, VBANK_ABT, VBANK_UND, VBANK_COUNT };

/* Exceptions the guest can be given. */
enum vexc { VEXC_RESET, VEXC_UND, VEXC_SWI, VEXC_PABT, VEXC_DABT, VEXC_IRQ, VEXC_FIQ,
            VEXC_COUNT };

/* VFP control state (the VFP register file itself stays in the real VFP while the guest runs). */
struct vcpu_vfp {
    uint32_t fpexc;          /* only EN (bit 30) is kept, as on QEMU */
    uint32_t fpinst, fpinst2;
};
#define VFP_FPEXC_EN       (1u << 30)
#define VFP_FPEXC_WRITABLE VFP_FPEXC_EN

struct vm;

struct vcpu {
    struct vm *vm;
    struct trap_frame regs;          /* the guest's registers while it is not on the CPU */
    uint32_t vcpsr;                  /* virtual CPSR: mode, A, I, F (VCPU_VCPSR_BITS); the flags
                                        and T live in the frame's cpsr */
    uint32_t banked_sp[VBANK_COUNT]; /* SP/LR of each bank; [VBANK_USR] is USR/SYS */
    uint32_t banked_lr[VBANK_COUNT];
    uint32_t spsr[VBANK_COUNT];      /* SPSR of each exception mode; [VBANK_USR] is the SPSR
                                        SYS mode reads and writes on QEMU (User mode has none) */
    uint32_t fiq_r8_r12[5];          /* FIQ r8-r12 while not in FIQ mode */
    uint32_t usr_r8_r12[5];          /* everyone else's r8-r12 while in FIQ mode */
    struct vcp15 cp15;
    struct vcpu_vfp vfp;
    uint32_t changed;                /* EMU_F_STATE bits not yet taken by the VMM */
    uint32_t entered[VEXC_COUNT];    /* exceptions entered, by vector (--stats) */
};

/* Reset state: virtual SVC mode with A, I, F set (CPSR 0x1d3, as QEMU's arm926 starts), CP15
 * at reset with ids, VFP disabled, every register zero, regs.cpsr = User mode. */
void vcpu_init(struct vcpu *v, struct vm *vm, const struct vcpu_ids *ids);

static inline uint32_t vcpu_mode(const struct vcpu *v) { return v->vcpsr & VPSR_MODE; }
static inline bool vcpu_privileged(const struct vcpu *v) { return vcpu_mode(v) != PSR_MODE_USR; }
static inline bool vcpu_irq_masked(const struct vcpu *v) { return (v->vcpsr & VPSR_I) != 0; }
static inline bool vcpu_fiq_masked(const struct vcpu *v) { return (v->vcpsr & VPSR_F) != 0; }

/* The seven ARMv5 modes. */
bool vcpu_mode_valid(uint32_t mode);
/* The bank of a valid mode. */
enum vbank vcpu_bank_of(uint32_t mode);

/* THE virtual mode change: swaps SP/LR (and r8-r12 to and from FIQ) between the frame and the
 * banks, sets the mode in vcpsr and records EMU_F_MODE.  Nothing else of the CPSR changes.  An
 * invalid mode number, or the current mode, changes nothing. */
void vcpu_set_mode(struct vcpu *v, struct trap_frame *f, uint32_t new_mode);

/* The whole virtual CPSR as the guest would read it. */
uint32_t vcpu_read_cpsr(const struct vcpu *v, const struct trap_frame *f);
/* The same from the guest's real CPSR (its flags and T), where no frame was built. */
uint32_t vcpu_virtual_cpsr(const struct vcpu *v, uint32_t real_cpsr);

enum vcpu_cpsr_write {
    VCPU_CPSR_MSR,   /* an MSR: in virtual User mode only the flags change (control bits are
                        ignored, as the hardware does); privileged: flags, mode, A, I, F (never
                        T, J) */
    VCPU_CPSR_ERET,  /* an exception return (CPSR = SPSR): flags, mode, A, I, F and T */
};
/* Writes the CPSR fields in fields (PSR_FIELD_* of proxy.h) from value.  A mode field naming no
 * valid mode leaves the mode unchanged (the other bits are written), as QEMU does.  I or F
 * cleared records EMU_F_IRQ_UNMASK. */
void vcpu_write_cpsr(struct vcpu *v, struct trap_frame *f, uint32_t value, uint32_t fields,
                     enum vcpu_cpsr_write how);

/* The SPSR of the current mode.  False in virtual User mode (no SPSR: UNDEFINED on QEMU).  In
 * SYS mode this is the extra SPSR QEMU gives SYS mode (vcpu.spsr[VBANK_USR]). */
bool vcpu_read_spsr(const struct vcpu *v, uint32_t *value);
bool vcpu_write_spsr(struct vcpu *v, uint32_t value, uint32_t fields);

/* CPSR = SPSR, then pc = new_pc (bits [1:0], or bit 0 in Thumb state, cleared).  False, with
 * nothing changed, in virtual User mode. */
bool vcpu_exception_return(struct vcpu *v, struct trap_frame *f, uint32_t new_pc);

/* Delivers an exception as the ARM926 takes it: SPSR_<mode> = CPSR, the mode, I = 1 (and A = 1
 * for aborts, IRQ, FIQ, reset; F = 1 for FIQ and reset, as QEMU), T = 0, LR_<mode> =
 * return_link, pc = vector base (virtual SCTLR.V) + offset.  VEXC_RESET is the CPU side only
 * (the caller resets vcp15 if it models a full reset). */
void vcpu_enter_exception(struct vcpu *v, struct trap_frame *f, enum vexc exc,
                          uint32_t return_link);

/* The hardware's link value for an exception delivered from a trap of the same kind, given the
 * frame pc convention (UND/SWI: the next instruction; aborts: the faulting one; IRQ/FIQ: the
 * interrupted one): UND/SWI pc, PABT pc + 4, DABT pc + 8, IRQ/FIQ pc + 4. */
static inline uint32_t vcpu_trap_link(enum vexc exc, uint32_t frame_pc)
{
    switch (exc) {
    case VEXC_UND: case VEXC_SWI: return frame_pc;
    case VEXC_DABT:               return frame_pc + 8u;
    case VEXC_RESET:              return 0;
    default:                      return frame_pc + 4u;   /* PABT, IRQ, FIQ */
    }
}

/* The vector base the guest uses (0 or 0xffff0000). */
static inline uint32_t vcpu_vector_base(const struct vcpu *v)
{
    return vcp15_vector_base(&v->cp15);
}
/* The address of exception exc's vector (exc < VEXC_COUNT). */
uint32_t vcpu_vector(const struct vcpu *v, enum vexc exc);

/* Register n (0..14) of any valid mode's view (r8-r12 differ for FIQ, SP/LR per bank), whether
 * that mode is current (the frame) or not (the banks).  Used for LDM(2)/STM(2) (User view), by
 * the VMM's register dumps and by the tests. */
uint32_t vcpu_mode_reg(const struct vcpu *v, const struct trap_frame *f, uint32_t mode,
                       unsigned n);
void vcpu_set_mode_reg(struct vcpu *v, struct trap_frame *f, uint32_t mode, unsigned n,
                       uint32_t value);

/* Returns the EMU_F_STATE changes accumulated since the last call, and clears them. */
static inline uint32_t vcpu_take_changes(struct vcpu *v)
{
    uint32_t c = v->changed;
    v->changed = 0;
    return c;
}

#endif
