/* The virtual CP15 of a vCPU: the system control coprocessor of an ARM926EJ-S as the guest sees
 * it, emulated register by register.  Pure (no hardware access): compiled into the VMM and into
 * the host unit tests.  docs/VCPU.md has the full register table.
 *
 * The reference is what the native core does, and the native core here is QEMU 7.2's
 * `-cpu arm926` (every guest output is compared with a native run): which encodings exist, which
 * are read-only, which are UNDEFINED, and which bits a write keeps were measured on it with a
 * probe guest (docs/VCPU.md, "Measured on QEMU").  In short:
 *
 *   c0   IDs (read-only; a write is UNDEFINED).  opc2 0 MIDR, 1 CTR, 2 TCMTR, 3 TLBTR, 4..7 MIDR
 *        again; CRm 3..7 (any opc2) and opc1 1 CRm 0 read as zero; CRm 1, 2 are UNDEFINED.
 *   c1   SCTLR, every bit kept as written.
 *   c2   TTBR0 (opc2 0) and TTBR1 (1) as written, TTBCR (2) keeps bits [2:0].
 *   c3   DACR, under every opc1/CRm/opc2.
 *   c5   DFSR (opc2 0), IFSR (1);  c6  FAR (opc2 0): as written.
 *   c7   cache operations (write-only, any CRm/opc2, opc1 0) except: c0,4 and c8,2 wait for
 *        interrupt; c10,3 and c14,3 are the read-only test-and-clean operations (read 1 << 30).
 *   c8   TLB operations (write-only, any opc1 and CRm, opc2 0..3).
 *   c9   D and I cache lockdown (c0, opc2 0/1), as written.
 *   c10  TLB lockdown space (CRm 0, 1, 4, 8 any opc1/opc2; CRm 2 opc1 0 opc2 0/1): writes are
 *        ignored and a read leaves Rd UNCHANGED (QEMU treats them as no-ops).
 *   c13  FCSE PID (opc2 0) and context ID (1), as written.
 *   c15  implementation defined: every encoding reads as zero and ignores writes.
 *   anything else, and every access from virtual User mode: UNDEFINED.
 */
#ifndef ARMVMM_VCP15_H
#define ARMVMM_VCP15_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

/* The identification values the guest reads.  The VMM copies them from the real core at vCPU
 * initialisation (so native and VMM runs agree); the host tests supply their own. */
struct vcpu_ids {
    uint32_t midr;    /* CP15 c0,c0,0  main ID           (QEMU arm926: 0x41069265) */
    uint32_t ctr;     /* CP15 c0,c0,1  cache type        (0x01dd20d2) */
    uint32_t tcmtr;   /* CP15 c0,c0,2  TCM status        (0) */
    uint32_t tlbtr;   /* CP15 c0,c0,3  TLB type          (0) */
    uint32_t fpsid;   /* VFP FPSID; 0 = no VFP: every cp10/cp11 instruction is UNDEFINED
                         (QEMU arm926: 0x41011090, VFPv2) */
    uint32_t jidr;    /* CP14 op1 7 c0,c0,0 Jazelle ID   (0) */
};

/* The ARM926EJ-S reset value of the SCTLR (VINITHI low): what QEMU's arm926 shows at boot. */
#define VCP15_SCTLR_RESET 0x00090078u

/* SCTLR bits (ARM926EJ-S TRM 2.3.2). */
#define VSCTLR_M    (1u << 0)     /* MMU enable */
#define VSCTLR_A    (1u << 1)     /* alignment fault checking */
#define VSCTLR_C    (1u << 2)     /* D-cache */
#define VSCTLR_W    (1u << 3)     /* write buffer (reads as one on the ARM926) */
#define VSCTLR_B    (1u << 7)     /* big-endian: kept, not honoured (docs/VCPU.md) */
#define VSCTLR_S    (1u << 8)     /* system protection */
#define VSCTLR_R    (1u << 9)     /* ROM protection */
#define VSCTLR_I    (1u << 12)    /* I-cache */
#define VSCTLR_V    (1u << 13)    /* high vectors */
#define VSCTLR_RR   (1u << 14)    /* round-robin replacement */
#define VSCTLR_L4   (1u << 15)    /* ARMv4 PC-load behaviour */

/* A change of any of these bits is a change of the virtual MMU (EMU_F_MMU); a write that changes
 * only cache bits (C, W, I, RR) or others (B, L4, ...) is not. */
#define VSCTLR_MMU_BITS   (VSCTLR_M | VSCTLR_A | VSCTLR_S | VSCTLR_R | VSCTLR_V)
#define VSCTLR_CACHE_BITS (VSCTLR_C | VSCTLR_W | VSCTLR_I | VSCTLR_RR)

/* The value the read-only test-and-clean operations return (c7,c10,3 and c7,c14,3): Z set in
 * bits [31:28], i.e. "the whole cache is clean" (QEMU models no cache). */
#define VCP15_TEST_CLEAN_DONE 0x40000000u

/* The c7 operations an ARM926 defines, as VCP15_C7(CRm, opc2) of EMU_F_CACHE results
 * (emu_result.cp_crm / cp_opc2).  Any other c7 write is accepted as a no-op, as on QEMU. */
#define VCP15_C7(crm, opc2)          (((crm) << 3) | (opc2))
#define VCP15_C7_WFI                 VCP15_C7(0, 4)    /* never reported as a cache op */
#define VCP15_C7_INV_I_ALL           VCP15_C7(5, 0)
#define VCP15_C7_INV_I_MVA           VCP15_C7(5, 1)
#define VCP15_C7_INV_I_SETWAY        VCP15_C7(5, 2)
#define VCP15_C7_FLUSH_PREFETCH      VCP15_C7(5, 4)
#define VCP15_C7_FLUSH_BTAC          VCP15_C7(5, 6)
#define VCP15_C7_INV_D_ALL           VCP15_C7(6, 0)
#define VCP15_C7_INV_D_MVA           VCP15_C7(6, 1)
#define VCP15_C7_INV_D_SETWAY        VCP15_C7(6, 2)
#define VCP15_C7_INV_ID_ALL          VCP15_C7(7, 0)
#define VCP15_C7_WFI_V5              VCP15_C7(8, 2)    /* never reported as a cache op */
#define VCP15_C7_CLEAN_D_MVA         VCP15_C7(10, 1)
#define VCP15_C7_CLEAN_D_SETWAY      VCP15_C7(10, 2)
#define VCP15_C7_DRAIN_WB            VCP15_C7(10, 4)
#define VCP15_C7_PREFETCH_I_LINE     VCP15_C7(13, 1)
#define VCP15_C7_CLEAN_INV_D_MVA     VCP15_C7(14, 1)
#define VCP15_C7_CLEAN_INV_D_SETWAY  VCP15_C7(14, 2)

struct vcp15 {
    struct vcpu_ids ids;
    uint32_t sctlr;          /* c1 */
    uint32_t ttbr0, ttbr1;   /* c2 opc2 0, 1 */
    uint32_t ttbcr;          /* c2 opc2 2 (bits [2:0]) */
    uint32_t dacr;           /* c3 */
    uint32_t dfsr, ifsr;     /* c5 opc2 0, 1 */
    uint32_t far;            /* c6 */
    uint32_t dlockdown;      /* c9 c0 0: D-cache lockdown */
    uint32_t ilockdown;      /* c9 c0 1: I-cache lockdown */
    uint32_t tlb_lockdown;   /* c10 c0 0: the last value written (diagnostics only: reads of the
                                c10 space leave Rd unchanged, as on QEMU) */
    uint32_t fcse_pid;       /* c13 opc2 0, the whole register (PID in [31:25]) */
    uint32_t context_id;     /* c13 opc2 1 */
};

/* What a CP15 write asks of the VMM, beyond the register state. */
struct vcp15_effect {
    uint32_t flags;          /* EMU_F_* (vcpu.h): MMU, DACR, WFI, TLB_*, CACHE */
    uint32_t operand;        /* TLB/cache operations: the value written (the MVA, set/way...) */
    uint8_t  crm, opc2;      /* TLB/cache operations: which one */
};

enum vcp15_status {
    VCP15_DONE,              /* performed (a read: *value is the result) */
    VCP15_UNDEF,             /* UNDEFINED: deliver the undefined-instruction exception */
    VCP15_NO_WRITE,          /* a read that leaves Rd unchanged (the c10 space) */
};

/* The register state after reset, with the given IDs. */
void vcp15_reset(struct vcp15 *c, const struct vcpu_ids *ids);

/* MRC p15 from a privileged mode (the caller refuses User mode): the register cp names. */
enum vcp15_status vcp15_read(const struct vcp15 *c, const struct insn_cp *cp, uint32_t *value);

/* MCR p15 from a privileged mode.  *effect is always written. */
enum vcp15_status vcp15_write(struct vcp15 *c, const struct insn_cp *cp, uint32_t value,
                              struct vcp15_effect *effect);

/* Where the guest's exception vectors are: SCTLR.V of the virtual CP15. */
static inline uint32_t vcp15_vector_base(const struct vcp15 *c)
{
    return (c->sctlr & VSCTLR_V) ? 0xffff0000u : 0u;
}

#endif
