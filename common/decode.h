/* The project's one ARMv5TE (ARM state) instruction decoder.  Pure: bits in, struct out.
 * Compiled into the host tools (patcher, tests) and into the freestanding VMM, so it uses only
 * <stdint.h>, <stdbool.h>, <stddef.h>.
 *
 * decode_arm() classifies a 32-bit ARM-state word as the ARM926EJ-S (ARMv5TEJ) sees it and
 * extracts its fields.  Every word gets exactly one kind; encodings that ARMv5TE leaves
 * UNDEFINED (including the ARMv6+ media and v6T2/v7 spaces) are INSN_UNDEFINED, except the
 * armvmm proxy space (proxy.h), which is INSN_PROXY.
 *
 * UNPREDICTABLE encodings keep their kind and set bits in `unpred` (INSN_UNPRED_*); the decoder
 * reports, the caller decides (QEMU's arm926 turns most should-be-zero/one violations into
 * UNDEFINED and executes most register-choice ones; the emulator picks per class).
 *
 * Register numbers are 0..15 (15 = PC); a field a form does not use is 0.
 */
#ifndef ARMVMM_DECODE_H
#define ARMVMM_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy.h"

#define ARM_REG_SP 13u
#define ARM_REG_LR 14u
#define ARM_REG_PC 15u

enum arm_cond {
    COND_EQ, COND_NE, COND_CS, COND_CC, COND_MI, COND_PL, COND_VS, COND_VC,
    COND_HI, COND_LS, COND_GE, COND_LT, COND_GT, COND_LE, COND_AL,
    COND_NV = 15,   /* ARMv5: the unconditional instruction space (BLX #imm, PLD, CDP2 ...) */
};

enum insn_kind {
    INSN_UNDEFINED = 0, /* UNDEFINED on ARMv5TE: the core takes the undefined-instruction trap */
    INSN_PROXY,         /* armvmm proxy space (proxy.h)                          .proxy        */
    INSN_MRS,           /* MRS Rd, CPSR|SPSR                                     .psr          */
    INSN_MSR,           /* MSR CPSR|SPSR_<fields>, Rm|#imm                       .psr          */
    INSN_DATA_PROC,     /* AND EOR SUB RSB ADD ADC SBC RSC TST TEQ CMP CMN ORR MOV BIC MVN .dp */
    INSN_ARITH,         /* multiplies, DSP multiplies, QADD.., CLZ               .arith        */
    INSN_LOAD_STORE,    /* LDR STR LDRB STRB LDRT STRT LDRBT STRBT LDRH STRH LDRSB LDRSH
                           LDRD STRD                                            .mem          */
    INSN_LOAD_STORE_MULTIPLE, /* LDM(1,2,3), STM(1,2)                            .block        */
    INSN_SWP,           /* SWP, SWPB                                             .mem          */
    INSN_PLD,           /* PLD (cond = NV; no access, no fault)                  .mem          */
    INSN_BRANCH,        /* B, BL, BLX(1) (cond = NV)                             .branch       */
    INSN_BRANCH_REG,    /* BX, BLX(2), BXJ                                       .branch       */
    INSN_CDP,           /* CDP, CDP2                                             .cp           */
    INSN_MCR,           /* MCR, MCR2                                             .cp           */
    INSN_MRC,           /* MRC, MRC2                                             .cp           */
    INSN_MCRR,          /* MCRR                                                  .cp           */
    INSN_MRRC,          /* MRRC                                                  .cp           */
    INSN_LDC,           /* LDC, LDC2                                             .cp           */
    INSN_STC,           /* STC, STC2                                             .cp           */
    INSN_SWI,           /* SWI #imm24                                            .imm          */
    INSN_BKPT,          /* BKPT #imm16                                           .imm          */
    INSN_KIND_COUNT
};

/* insn.unpred bits */
#define INSN_UNPRED_SBZ   0x01u  /* a should-be-zero / should-be-one field is violated       */
#define INSN_UNPRED_REG   0x02u  /* a register choice is UNPREDICTABLE (PC, overlap, odd Rd) */
#define INSN_UNPRED_FORM  0x04u  /* the form itself (empty list, ^ with writeback, BKPT cond) */

/* Shift types of the shifter operand and of scaled register offsets. */
enum arm_shift { SHIFT_LSL = 0, SHIFT_LSR = 1, SHIFT_ASR = 2, SHIFT_ROR = 3 /* #0: RRX */ };

enum dp_opcode {
    DP_AND, DP_EOR, DP_SUB, DP_RSB, DP_ADD, DP_ADC, DP_SBC, DP_RSC,
    DP_TST, DP_TEQ, DP_CMP, DP_CMN, DP_ORR, DP_MOV, DP_BIC, DP_MVN,
};

/* Shifter operand / offset forms. */
enum operand_form {
    OPERAND_IMM,        /* immediate (.imm)                              */
    OPERAND_REG_IMM,    /* Rm, <shift> #shift_imm (LSL #0 = plain Rm)    */
    OPERAND_REG_REG,    /* Rm, <shift> Rs                                 */
};

struct insn_psr {            /* MRS, MSR, and the decoded meaning of a valid proxy */
    bool     spsr;           /* R bit: SPSR of the current mode instead of CPSR */
    uint8_t  rd;             /* MRS destination */
    uint8_t  mask;           /* MSR field mask: PSR_FIELD_C/X/S/F (proxy.h) */
    bool     imm;            /* MSR immediate form */
    uint8_t  rm;             /* MSR register form source */
    uint16_t imm12;          /* MSR immediate form: rotate_imm:imm8 as encoded */
    uint32_t value;          /* MSR immediate form: the rotated 32-bit value */
};

struct insn_proxy {
    uint8_t  op;             /* enum proxy_op (3..7 reserved) */
    uint8_t  sub;
    uint16_t a;
    uint8_t  b;
    bool     valid;          /* proxy_valid(): else the guest gets UNDEFINED */
    uint32_t original;       /* valid: the MRS/MSR word this proxy stands for */
    struct insn_psr psr;     /* valid: that MRS/MSR decoded (always on the CPSR) */
};

struct insn_dp {
    uint8_t  opcode;         /* enum dp_opcode */
    bool     s;              /* S bit (always set for TST/TEQ/CMP/CMN) */
    uint8_t  rd, rn;         /* rd unused for TST..CMN, rn unused for MOV/MVN */
    uint8_t  form;           /* enum operand_form */
    uint32_t imm;            /* OPERAND_IMM: rotated value */
    uint8_t  rotate;         /* OPERAND_IMM: rotation in bits (2 * rotate_imm); carry out */
    uint8_t  rm, rs;         /* register forms */
    uint8_t  shift;          /* enum arm_shift */
    uint8_t  shift_imm;      /* OPERAND_REG_IMM: 0..31 as encoded */
};

enum arith_op {
    ARITH_MUL, ARITH_MLA, ARITH_UMULL, ARITH_UMLAL, ARITH_SMULL, ARITH_SMLAL,
    ARITH_SMLAXY, ARITH_SMLAWY, ARITH_SMULWY, ARITH_SMLALXY, ARITH_SMULXY,
    ARITH_QADD, ARITH_QSUB, ARITH_QDADD, ARITH_QDSUB, ARITH_CLZ,
};

struct insn_arith {
    uint8_t  op;             /* enum arith_op */
    bool     s;              /* MUL..SMLAL: S bit */
    uint8_t  rd, rn, rm, rs; /* MUL/MLA: Rd, Rn (accumulate), Rm, Rs; Q*: Rd, Rn, Rm; CLZ: Rd, Rm;
                                SMLA..: Rd, Rn (accumulate), Rm, Rs */
    uint8_t  rdlo, rdhi;     /* long forms (UMULL.., SMLALxy) */
    bool     x, y;           /* DSP multiplies: top half of Rm (x) / Rs (y) */
};

struct insn_mem {            /* single load/store, SWP, PLD */
    bool     load;           /* LDR*, (SWP: both) */
    uint8_t  size;           /* bytes: 1, 2, 4, 8 (LDRD/STRD) */
    bool     sign;           /* LDRSB, LDRSH */
    bool     user;           /* LDRT/STRT/LDRBT/STRBT: access with User permissions */
    bool     pre;            /* P: offset applied before the access */
    bool     up;             /* U: add the offset */
    bool     wback;          /* base register written back (P=0, or W=1) */
    uint8_t  rd, rn;         /* Rd (LDRD/STRD: Rd and Rd+1; SWP: Rd loaded), Rn base */
    uint8_t  form;           /* OPERAND_IMM or OPERAND_REG_IMM (scaled register offset) */
    uint32_t imm;            /* OPERAND_IMM: offset magnitude */
    uint8_t  rm;             /* register offset (SWP: value stored) */
    uint8_t  shift, shift_imm;
};

struct insn_block {          /* LDM / STM */
    bool     load;
    bool     pre, up, wback; /* P, U, W */
    bool     s;              /* S bit ('^') */
    bool     user_regs;      /* LDM(2) / STM(2): transfer User-mode registers */
    bool     exc_return;     /* LDM(3): PC in the list and S: CPSR = SPSR */
    uint8_t  rn;
    uint16_t list;           /* register list, bit n = Rn */
    uint8_t  count;          /* registers in the list */
};

struct insn_branch {
    bool     link;           /* BL, BLX */
    bool     exchange;       /* BLX(1), BX, BLX(2), BXJ: may change to Thumb */
    bool     jazelle;        /* BXJ */
    int32_t  offset;         /* B/BL/BLX(1): byte offset from PC (= address + 8) */
    uint8_t  rm;             /* BX/BLX(2)/BXJ */
};

struct insn_cp {             /* coprocessor instructions */
    uint8_t  cp;             /* coprocessor number */
    uint8_t  opc1, opc2;     /* CDP: opc1 4 bits; MCR/MRC: opc1 3 bits; MCRR/MRRC: opc in opc1 */
    uint8_t  crn, crm, crd;
    uint8_t  rd;             /* MCR/MRC Rd; MCRR/MRRC Rd */
    uint8_t  rn;             /* MCRR/MRRC second register; LDC/STC base */
    bool     pre, up, wback; /* LDC/STC */
    bool     n;              /* LDC/STC N bit ("L" suffix) */
    bool     unindexed;      /* LDC/STC P=0 W=0 U=1: option field in imm8 */
    uint8_t  imm8;           /* LDC/STC offset in words, or option */
};

struct insn {
    uint32_t raw;
    uint8_t  kind;           /* enum insn_kind */
    uint8_t  cond;           /* enum arm_cond (COND_NV: unconditional space) */
    uint8_t  unpred;         /* INSN_UNPRED_* */
    union {
        struct insn_psr    psr;
        struct insn_proxy  proxy;
        struct insn_dp     dp;
        struct insn_arith  arith;
        struct insn_mem    mem;
        struct insn_block  block;
        struct insn_branch branch;
        struct insn_cp     cp;
        uint32_t           imm;   /* SWI imm24, BKPT imm16 */
        uint32_t           all[6];   /* the whole union, for decode_arm() to clear */
    };
};
_Static_assert(sizeof(struct insn) == __builtin_offsetof(struct insn, all) +
                                      sizeof(((struct insn *)0)->all),
               "struct insn: all[] covers the union");

/* Decode one ARM-state word. */
void decode_arm(uint32_t word, struct insn *out);

/* ARM immediate: imm8 rotated right by 2 * rotate_imm (imm12 = rotate_imm:imm8). */
static inline uint32_t arm_expand_imm(uint32_t imm12)
{
    uint32_t rot = (imm12 >> 8) * 2u, v = imm12 & 0xFFu;
    return rot ? (v >> rot) | (v << (32u - rot)) : v;
}

/* True for the sensitive, non-trapping instructions the patcher rewrites: MRS/MSR on the CPSR,
 * canonical encoding (no should-be-zero/one violation: QEMU's arm926 treats those as
 * UNDEFINED, so they trap already), any condition but NV, any register, any field mask. */
bool insn_is_proxy_candidate(const struct insn *in);

/* original MRS/MSR-CPSR word -> proxy.  False (and *proxy untouched) if the word is not a
 * proxy candidate. */
bool proxy_from_original(uint32_t original, uint32_t *proxy);

/* valid proxy -> the original MRS/MSR word.  False if the word is not a valid proxy. */
bool proxy_to_original(uint32_t proxy, uint32_t *original);

/* A short name of the kind ("mrs", "ldm/stm", ...), for messages. */
const char *insn_kind_name(unsigned kind);

#endif
