/* The C structure offsets vectors.S's short paths use, as assembler constants: compiled to
 * assembly only (never linked), whose "->NAME value" lines vmm.mk turns into asm_offsets.h, so
 * the assembly follows the structures instead of hand-kept numbers. */
#include <stddef.h>

#include "fastpath.h"
#include "guest_fault.h"
#include "shadow.h"
#include "stats.h"
#include "trace.h"
#include "trap.h"
#include "vcpu.h"
#include "vcpu_shared.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %0\"" ::"i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
    DEFINE(TF_PRIV, offsetof(struct trap_fast, priv));
    DEFINE(TF_GO, offsetof(struct trap_fast, go));
    DEFINE(TF_PENDING, offsetof(struct trap_fast, pending));
    DEFINE(TF_VCPU, offsetof(struct trap_fast, vcpu));
    DEFINE(TF_SHADOW, offsetof(struct trap_fast, shadow));
    DEFINE(TF_SHARED, offsetof(struct trap_fast, shared));
    DEFINE(TF_STATS, offsetof(struct trap_fast, stats));
    DEFINE(TF_TRACE, offsetof(struct trap_fast, trace));
    DEFINE(TF_QUICK, offsetof(struct trap_fast, quick));
    DEFINE(TF_SWI_VECTOR, offsetof(struct trap_fast, swi_vector));

    DEFINE(QK_WORD, offsetof(struct quick_key, word));
    DEFINE(QK_VA, offsetof(struct quick_key, va));
    DEFINE(QK_SIZE, offsetof(struct quick_key, size));
    DEFINE(QK_DACR_MASK, offsetof(struct quick_key, dacr_mask));
    DEFINE(QK_DACR, offsetof(struct quick_key, dacr));
    DEFINE(QK_FLUSHES, offsetof(struct quick_key, flushes));
    DEFINE(QK_GEN, offsetof(struct quick_key, gen));
    DEFINE(QK_L1_DESC, offsetof(struct quick_key, l1_desc));
    DEFINE(QK_PA_OFF, offsetof(struct quick_key, pa_off));
    DEFINE(QK_RD, offsetof(struct quick_key, rd));
    DEFINE(QK_VM, offsetof(struct quick_key, vm));
    DEFINE(QK_DEV, offsetof(struct quick_key, dev));

    DEFINE(VCPU_VCPSR, offsetof(struct vcpu, vcpsr));
    DEFINE(VCPU_SP_USR, offsetof(struct vcpu, banked_sp[VBANK_USR]));
    DEFINE(VCPU_LR_USR, offsetof(struct vcpu, banked_lr[VBANK_USR]));
    DEFINE(VCPU_SP_SVC, offsetof(struct vcpu, banked_sp[VBANK_SVC]));
    DEFINE(VCPU_LR_SVC, offsetof(struct vcpu, banked_lr[VBANK_SVC]));
    DEFINE(VCPU_SPSR_SVC, offsetof(struct vcpu, spsr[VBANK_SVC]));
    DEFINE(VCPU_SPSR_BANK0, offsetof(struct vcpu, spsr));
    DEFINE(VBANK_OF_IRQ, VBANK_IRQ);
    DEFINE(VBANK_OF_ABT, VBANK_ABT);
    DEFINE(VBANK_OF_UND, VBANK_UND);
    DEFINE(VCPU_DFSR, offsetof(struct vcpu, cp15.dfsr));
    DEFINE(VCPU_IFSR, offsetof(struct vcpu, cp15.ifsr));
    DEFINE(VCPU_FAR, offsetof(struct vcpu, cp15.far));
    DEFINE(VCPU_SCTLR, offsetof(struct vcpu, cp15.sctlr));
    DEFINE(VCPU_DACR, offsetof(struct vcpu, cp15.dacr));

    DEFINE(SHADOW_VPRIV, offsetof(struct shadow, vpriv));
    DEFINE(SHADOW_GUEST_DACR, offsetof(struct shadow, guest_dacr));
    DEFINE(SHADOW_ENTRY_DACR, offsetof(struct shadow, entry_dacr));
    DEFINE(SHADOW_REAL_DACR, offsetof(struct shadow, real_dacr));
    DEFINE(SHADOW_MEMO, offsetof(struct shadow, memo));
    DEFINE(SHADOW_SWI_KEY, offsetof(struct shadow, swi.key));
    DEFINE(SHADOW_SWI_GUEST, offsetof(struct shadow, swi.guest));
    DEFINE(SHADOW_SWI_REAL, offsetof(struct shadow, swi.real));
    DEFINE(SHADOW_SWI_NEED, offsetof(struct shadow, swi.need));
    DEFINE(SHADOW_MIXED, offsetof(struct shadow, mixed));
    DEFINE(SHADOW_WINDOW_SLOT, offsetof(struct shadow, window_slot));
    DEFINE(SHADOW_WINDOW_USER, offsetof(struct shadow, window_desc[0]));
    DEFINE(SHADOW_WINDOW_PRIV, offsetof(struct shadow, window_desc[1]));
    DEFINE(SHADOW_NR_MIXED, offsetof(struct shadow, nr_mixed));
    DEFINE(SHADOW_FLUSHES, offsetof(struct shadow, flushes));
    DEFINE(SHADOW_SLOT_TABLE, offsetof(struct shadow, slot_table));
    DEFINE(SHADOW_CLEAN_FROM, offsetof(struct shadow, clean_from));
    DEFINE(SHADOW_CLEAN_GEN, offsetof(struct shadow, clean_gen));
    DEFINE(MEMO_SIZE, sizeof(struct shadow_dacr_memo));
    DEFINE(MEMO_GUEST, offsetof(struct shadow_dacr_memo, guest));
    DEFINE(MEMO_PRIV, offsetof(struct shadow_dacr_memo, priv));
    DEFINE(MEMO_USER, offsetof(struct shadow_dacr_memo, user));
    DEFINE(MEMO_NEED, offsetof(struct shadow_dacr_memo, need));
    DEFINE(MIXED_SIZE, sizeof(struct shadow_mixed));
    DEFINE(MIXED_PTE, offsetof(struct shadow_mixed, pte));
    DEFINE(MIXED_PRIV, offsetof(struct shadow_mixed, priv_desc));
    DEFINE(MIXED_USER, offsetof(struct shadow_mixed, user_desc));

    DEFINE(SHARED_PAGE, offsetof(struct vcpu_shared, page));
    DEFINE(SHARED_SPSR, offsetof(struct vcpu_shared, spsr));
    DEFINE(SHARED_USR_SP, offsetof(struct vcpu_shared, usr_sp));
    DEFINE(SHARED_USR_LR, offsetof(struct vcpu_shared, usr_lr));
    DEFINE(SHARED_DACR, offsetof(struct vcpu_shared, dacr));

    DEFINE(PAGE_CPSR, VSHARED_CPSR);   /* the shared page (fastpath.h) */
    DEFINE(PAGE_MSR_CHECK, VSHARED_MSR_CHECK);
    DEFINE(PAGE_SPSR, VSHARED_SPSR);
    DEFINE(PAGE_DACR, VSHARED_DACR);
    DEFINE(PAGE_DACR_NEED, VSHARED_DACR_NEED);
    DEFINE(PAGE_USR_SP, VSHARED_USR_SP);
    DEFINE(PAGE_USR_LR, VSHARED_USR_LR);

    DEFINE(STATS_FAST_LINES, offsetof(struct trap_stats, fast_lines));
    DEFINE(STATS_FAST_LINE_EXTRA, offsetof(struct trap_stats, fast_line_extra));
    DEFINE(STATS_FAST_SWI, offsetof(struct trap_stats, fast_swi));
    DEFINE(STATS_FAST_ERET, offsetof(struct trap_stats, fast_eret));
    DEFINE(STATS_FAST_DACR, offsetof(struct trap_stats, fast_dacr));
    DEFINE(STATS_FAST_GRANT, offsetof(struct trap_stats, fast_grant));
    DEFINE(STATS_FAST_MRS_SPSR, offsetof(struct trap_stats, fast_state[STATS_STATE_MRS_SPSR]));
    DEFINE(STATS_FAST_MRS_CPSR, offsetof(struct trap_stats, fast_state[STATS_STATE_MRS_CPSR]));
    DEFINE(STATS_FAST_MRC_FSR, offsetof(struct trap_stats, fast_state[STATS_STATE_MRC_FSR]));
    DEFINE(STATS_FAST_MRC_FAR, offsetof(struct trap_stats, fast_state[STATS_STATE_MRC_FAR]));
    DEFINE(STATS_FAST_MSR_SPSR, offsetof(struct trap_stats, fast_state[STATS_STATE_MSR_SPSR]));
    DEFINE(STATS_FAST_KEY_READS, offsetof(struct trap_stats, fast_key_reads));

    DEFINE(TRACE_NEXT, offsetof(struct trace_ring, next));
    DEFINE(TRACE_ENTRY_SIZE, sizeof(struct trace_entry));
    DEFINE(TRACE_MASK, TRACE_ENTRIES - 1);

    DEFINE(VCPU_MSR_SPSR_BITS, VCPU_MSR_SPSR);
}

_Static_assert((TRACE_ENTRIES & (TRACE_ENTRIES - 1)) == 0, "trap_fast.S: the ring's index mask");
_Static_assert(offsetof(struct trace_entry, kind) == 0 && offsetof(struct trace_entry, insn) == 4 &&
               offsetof(struct trace_entry, vcpsr) == 8 && offsetof(struct trace_entry, pc) == 12,
               "trap_fast.S: trace entry layout");
