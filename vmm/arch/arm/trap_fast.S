/* The short assembly paths: the traps a kernel takes by the thousand, handled right at the
 * vector, without the frame and without C, whenever the state they involve is the common one;
 * anything else branches to the general entry (vectors.S), which takes the trap as if this file
 * did not exist.  struct trap_fast (trap.h) is their view of the running vCPU, refreshed by
 * trap_prepare_resume() before every resume from C and kept up to date here.
 *
 *   trap_fast_und, from a virtual privileged mode, ARM state:
 *     - a cache-line or write-buffer operation (MCR p15, 0, Rd, c7, ...): counted, skipped; the
 *       rest of a kernel's range or counted loop of them forwarded at once; a loop with
 *       conditional ones, or with the stores of a page copy or clear, handed to C's
 *       cache_batch; a conditional one (it trapped: its condition passed) skipped alone;
 *     - `movs pc, lr` from virtual SVC to User mode: the exception return (vcpu.c's
 *       vcpu_exception_return, with what vcpu_shared_import would take first);
 *     - `movs pc, lr` from virtual ABT, UND or IRQ mode to SVC mode (a kernel's vector stubs);
 *     - MCR p15, 0, Rd, c3, c0, 0 with Rd in r0-r12: a DACR write (trap.c's quick path);
 *     - MCR p15, 0, Rd, c8, c5|c6|c7, 1 with Rd in r0-r12: a TLB flush by MVA, by C
 *       (trap_quick_tlb_mva) on the SVC stack, without the frame (one that starts a loop over
 *       a range goes to C's cache_batch, which runs the loop whole);
 *     - MCR p15, 0, Rd, c2, c0, 0 with Rd in r0-r12: a TTBR0 write (an address-space switch),
 *       the same way (trap_quick_ttbr);
 *     - MRS Rd, SPSR; the MRS Rd, CPSR proxy; MRC of DFSR, IFSR, FAR; MSR SPSR_fsxc, Rm: the
 *       state accesses of a kernel's exception entry, read from the vCPU and the shared page
 *       (the SPSR written there, as the MSR SPSR trampoline does).
 *   trap_fast_swi, from virtual User mode: the SWI, forwarded to the guest's vector (vcpu.c's
 *     vcpu_enter_exception for VEXC_SWI, as trap.c's user_swi).
 *   trap_fast_dabt, from a virtual privileged mode with a DACR grant a trampoline made since the
 *     last trap (vcpu_shared_import takes it first, too): the grant goes to the real DACR and the
 *     instruction runs again; if the abort had another cause, it comes back, to C.  Without
 *     one, in ARM state: a device read the VM's quick key allows (guest_fault.h; made by
 *     guest_fault_quick_read, called on the SVC stack without the frame when the key does not
 *     hold) is done and the guest resumes after it.
 *
 * Each records itself in the VM's trace ring (the line operations only in the counters) and in
 * the statistics, updates the vCPU, the shadow's virtual privilege and real DACR (from the memo
 * only: a guest DACR not remembered goes to C), and the shared page (vcpu_shared_export), then
 * resumes the guest.  Each of them
 * finds r0-r12 of the guest stored below sp (the mode's stack is idle while the guest runs) and
 * leaves them there, untouched, when it hands over to the general entry. */
#include "asm.h"
#include "asm_offsets.h"
#include "cp15.h"
#include "cpu.h"

#define MOVS_PC_LR      0xe1b0f00e      /* movs pc, lr */
#define MCR_DACR        0xee030f10      /* MCR p15, 0, Rd, c3, c0, 0, cond AL, Rd = 0 */
#define MRS_SPSR        0xe14f0000      /* MRS Rd, SPSR (Rd = 0) */
#define PROXY_MRS_CPSR  0xe7000010      /* the patcher's MRS Rd, CPSR (proxy.h, op 0, Rd = 0) */
#define MRC_DFSR        0xee150f10      /* MRC p15, 0, Rd, c5, c0, 0 (Rd = 0) */
#define MRC_IFSR        0xee150f30      /* MRC p15, 0, Rd, c5, c0, 1 */
#define MRC_FAR         0xee160f10      /* MRC p15, 0, Rd, c6, c0, 0 */
#define MSR_SPSR_ALL    0xe16ff000      /* MSR SPSR_fsxc, Rm (Rm = 0) */
#define MCR_TLB_MVA     0xee080f34      /* MCR p15, 0, Rd, c8, c4, 1 (AL), under the mask below */
#define MCR_TLB_MVA_MASK 0xffff0ffc     /* (Rd, and CRm's low bits: c5, c6, c7) */
#define MCR_TTBR0       0xee020f10      /* MCR p15, 0, Rd, c2, c0, 0 (AL, Rd = 0) */
#define MCR_DRAIN       0xee070f9a      /* MCR p15, 0, Rd, c7, c10, 4 (AL, Rd = 0) */
#define LDM_SP_ERET     0xe8ddffff      /* ldmia sp, {r0-pc}^ */
#define VCPSR_LOW_BITS  0xdf            /* mode, F, I of a PSR; A (bit 8) besides, T not */
#define VPSR_A          0x100

/* ldmia r, {...} below loads struct trap_fast in this order. */
.if TF_PRIV != 0 || TF_GO != 4 || TF_PENDING != 8 || TF_VCPU != 12 || TF_SHADOW != 16 || TF_SHARED != 20 || TF_STATS != 24 || TF_TRACE != 28
.error "struct trap_fast: vectors' layout"
.endif
.if TRACE_ENTRY_SIZE != 16
.error "struct trace_entry: this file's layout"
.endif
.if MIXED_PTE != 0 || MIXED_PRIV != 4 || MIXED_USER != 8 || MIXED_SIZE != 12
.error "struct shadow_mixed: MIXED_FLIP's LDM"
.endif
/* \field must be \off bytes after \base, for the LDM or STM \what says. */
.macro FIELD_AT field, base, off, what
.if \field != \base + \off
.error "\what"
.endif
.endm
    FIELD_AT SHARED_USR_SP, SHARED_SPSR, 4, "struct vcpu_shared: the SWI path's STM"
    FIELD_AT SHARED_USR_LR, SHARED_SPSR, 8, "struct vcpu_shared: the SWI path's STM"
    FIELD_AT SHARED_DACR, SHARED_SPSR, 12, "struct vcpu_shared: the SWI path's STM"
    FIELD_AT PAGE_CPSR, 0, 0, "fastpath.h: the shared page's order for the SWI path's STM"
    FIELD_AT PAGE_MSR_CHECK, PAGE_CPSR, 4, "fastpath.h: the SWI path's STM"
    FIELD_AT PAGE_SPSR, PAGE_CPSR, 8, "fastpath.h: the SWI path's STM"
    FIELD_AT PAGE_USR_SP, PAGE_CPSR, 12, "fastpath.h: the SWI path's STM"
    FIELD_AT PAGE_USR_LR, PAGE_CPSR, 16, "fastpath.h: the SWI path's STM"
    FIELD_AT PAGE_DACR_NEED, PAGE_CPSR, 20, "fastpath.h: the SWI path's STM"
    FIELD_AT SHADOW_SWI_NEED, SHADOW_SWI_REAL, 4, "struct shadow_swi_memo: the SWI path's LDM"
    FIELD_AT SHADOW_SWI_GUEST, SHADOW_SWI_REAL, 8, "struct shadow_swi_memo: the SWI path's LDM"
.if QK_WORD != 0 || QK_VA != 4
.error "struct quick_key: dabt_quick_read's LDM"
.endif

/* \out := the real DACR for guest DACR \g with the virtual privilege \which (MEMO_PRIV or
 * MEMO_USER), from the shadow's memo (shadow.c real_dacr(); C keeps both entries true to the
 * domain map); to \miss if it is not there.  \t1 := fastpath_dacr_need(\g), for the shared
 * page's PAGE_DACR_NEED. */
.macro DACR_FROM_MEMO g, sh, which, out, t1, miss
    DACR_MEMO_ENTRY \g, \sh, SHADOW_MEMO, \which, \out, \t1, .Lnext\@
    b       .Lfound\@
.Lnext\@:
    DACR_MEMO_ENTRY \g, \sh, (SHADOW_MEMO + MEMO_SIZE), \which, \out, \t1, \miss
.Lfound\@:
.endm

.macro DACR_MEMO_ENTRY g, sh, m, which, out, t1, miss
    ldr     \t1, [\sh, #(\m + MEMO_GUEST)]
    cmp     \t1, \g
    bne     \miss
    ldr     \out, [\sh, #(\m + \which)]
    ldr     \t1, [\sh, #(\m + MEMO_NEED)]
.endm

/* The shadow's pages in the megabytes shared with the VMM for the new virtual privilege (\user
 * 0: privileged, 1: User), as shadow.c shadow_set_dacr sets them: the window's table for it in
 * the L1 table, megabyte 0's per-mode entries rewritten, then one TLB flush (the tables are
 * uncached and unbuffered: the walker sees the stores at once).  Each struct shadow_mixed comes
 * with one LDM, so \pte < \pdesc < \udesc. */
.macro MIXED_FLIP sh, user, n, e, pte, pdesc, udesc
    .if \user
    ldr     \n, [\sh, #SHADOW_WINDOW_USER]
    .else
    ldr     \n, [\sh, #SHADOW_WINDOW_PRIV]
    .endif
    ldr     \e, [\sh, #SHADOW_WINDOW_SLOT]
    str     \n, [\e]
    ldr     \n, [\sh, #SHADOW_NR_MIXED]
    cmp     \n, #0
    beq     .Ldone\@
    add     \e, \sh, #SHADOW_MIXED
.Lloop\@:
    ldmia   \e!, {\pte, \pdesc, \udesc}
    .if \user
    str     \udesc, [\pte]
    .else
    str     \pdesc, [\pte]
    .endif
    subs    \n, \n, #1
    bne     .Lloop\@
.Ldone\@:
    mcr     p15, 0, \n, c8, c7, 0               @ invalidate the TLB (\n = 0)
.endm

/* One entry of the trace ring (trace.h trace_record): \kind, then \insn, \vcpsr and lr (the pc)
 * with one STM, so \k < \insn < \vcpsr; \k and \t are clobbered. */
.macro TRACE ring, kind, k, insn, vcpsr, t
    ldr     \k, [\ring, #TRACE_NEXT]
    add     \t, \k, #1
    str     \t, [\ring, #TRACE_NEXT]
    and     \k, \k, #TRACE_MASK
    add     \t, \ring, \k, lsl #4
    mov     \k, #\kind
    stmia   \t, {\k, \insn, \vcpsr, lr}
.endm

/* Whether insn is one of the cache-line and write-buffer operations emulate.c accepts (MCR p15,
 * 0, Rd, c7, CRm, opc2, cond AL; by opc2 the CRm values in line_ops_by_opc2): to not_mcr7 if it
 * is no MCR to c7 at all, to other if it is another one. */
.macro LINE_OP insn, t1, t2, t3, not_mcr7, other
    ldr     \t1, =0xffff0f10
    and     \t1, \insn, \t1
    sub     \t1, \t1, #0xee000000
    sub     \t1, \t1, #0x00070000
    teq     \t1, #0x00000f10
    bne     \not_mcr7
    and     \t1, \insn, #0xe0               @ opc2 << 5
    cmp     \t1, #0x80
    bhi     \other
    ldr     \t2, =line_ops_by_opc2
    ldr     \t1, [\t2, \t1, lsr #3]          @ the CRm mask for this opc2
    and     \t2, \insn, #0xf
    mov     \t3, #1
    tst     \t1, \t3, lsl \t2
    beq     \other
.endm

/* The start of trap_fast_dabt and trap_fast_swi: from User mode (else \general: the VMM's own),
 * r0 = the guest's real CPSR, r1-r8 = struct trap_fast (priv go pending vcpu shadow shared stats
 * trace), r11 = &trap_fast; to \general unless go. */
.macro FAST_ENTRY general
    mrs     r0, spsr
    tst     r0, #0xf
    bne     \general
    ldr     r11, =trap_fast
    ldmia   r11, {r1-r8}
    cmp     r2, #0
    beq     \general
.endm

/* An exception return's CPSR := \spsr and pc := \link: flags and T into the real SPSR (still
 * User mode), mode, A, I, F into vcpu.vcpsr (\vcpu); \out := the new vcpsr (\out may be
 * \link).  Clobbers r0 and \t. */
.macro ERET_COMMIT spsr, link, vcpu, out, t
    tst     \spsr, #PSR_T
    biceq   lr, \link, #3
    bicne   lr, \link, #1
    ldr     \t, =(VCPSR_LOW_BITS | VPSR_A)
    and     \out, \spsr, \t
    str     \out, [\vcpu, #VCPU_VCPSR]
    ldr     \t, =(PSR_FLAGS_MASK | PSR_T)
    and     r0, \spsr, \t
    orr     r0, r0, #PSR_MODE_USR
    msr     spsr_cxsf, r0
.endm

/* An exception return's new CPSR: \out := the current mode's SPSR from the shared page (\page
 * := the page), as an MSR SPSR may have left it; to vector_und_general unless its mode is
 * \mode and it leaves no pending line (\pending) unmasked.  Clobbers r12. */
.macro ERET_CHECK shared, page, out, mode, pending
    ldr     \page, [\shared, #SHARED_PAGE]
    ldr     \out, [\page, #PAGE_SPSR]
    ldr     r12, =VCPU_MSR_SPSR_BITS
    and     \out, \out, r12
    and     r12, \out, #PSR_MODE_MASK
    cmp     r12, #\mode
    bne     vector_und_general
    bic     r12, \pending, \out
    tst     r12, #(PSR_I | PSR_F)
    bne     vector_und_general
.endm

/* The shared page after an exception return (vcpu_shared_export): the new vcpsr and the new
 * mode's SPSR (0 in User mode); then back to the guest. */
.macro ERET_EXPORT page, shared, vcpsr, spsr
    str     \vcpsr, [\page, #PAGE_CPSR]
    str     \spsr, [\page, #PAGE_SPSR]
    str     \spsr, [\shared, #SHARED_SPSR]
    ldmdb   sp, {r0-r12}
    movs    pc, lr
.endm

/* \out := the guest's register Rd of \insn (bits 15:12), from its r0-r12 stored below sp; to
 * vector_und_general when Rd is sp, lr or pc.  Clobbers \t. */
.macro GUEST_RD insn, out, t
    mov     \t, \insn, lsr #12
    and     \t, \t, #0xf
    cmp     \t, #12
    bhi     vector_und_general
    sub     \out, sp, #(13 * 4)
    ldr     \out, [\out, \t, lsl #2]
.endm

/* C's \fn(Rd of the MCR in r1, its address, r1 itself, the guest's real CPSR in r0, the word
 * after it in r12: 0 if not read) on the SVC stack (idle while the guest runs), without the
 * frame; then the flags of the result's compare with 0, in r0.  lr as on entry. */
.macro QUICK_CALL fn
    mov     r3, r0
    mov     r2, r1
    GUEST_RD r2, r0, r10
    sub     r1, lr, #4
    msr     cpsr_c, #(PSR_MODE_SVC | PSR_I | PSR_F)
    str     r12, [sp, #-8]!             @ the fifth argument (the stack kept 8-byte aligned)
    bl      \fn
    add     sp, sp, #8
    msr     cpsr_c, #(PSR_MODE_UND | PSR_I | PSR_F)
    cmp     r0, #0
.endm

/* The guest's NZCV := the current flags (a forwarded loop's last compare): into \real, the
 * guest's real CPSR, and the SPSR it resumes with.  Clobbers \t. */
.macro FLAGS_TO_GUEST real, t
    mrs     \t, cpsr
    and     \t, \t, #0xf0000000
    bic     \real, \real, #0xf0000000
    orr     \real, \real, \t
    msr     spsr_f, \real
.endm

/* The end of a forwarded loop of line operations: \n of them counted (\stats: the statistics),
 * all but the trapped one as forwarded; then back to the guest.  Clobbers \t. */
.macro LINES_FORWARDED stats, n, t
    ldr     \t, [\stats, #STATS_FAST_LINES]
    add     \t, \t, \n
    str     \t, [\stats, #STATS_FAST_LINES]
    ldr     \t, [\stats, #STATS_FAST_LINE_EXTRA]
    add     \t, \t, \n
    sub     \t, \t, #1
    str     \t, [\stats, #STATS_FAST_LINE_EXTRA]
    ldmdb   sp, {r0-r12}
    movs    pc, lr
.endm

/* \out := fastpath_msr_check() of virtual SVC mode with the pending lines \pending (\out may
 * be \pending). */
.macro MSR_CHECK_SVC out, pending
    cmp     \pending, #0
    mov     \out, #(PSR_MODE_SVC << 26)
    mvnne   \out, #0
.endm

.macro COUNT base, offset, t, n=1
    ldr     \t, [\base, #\offset]
    add     \t, \t, #\n
    str     \t, [\base, #\offset]
.endm

/* \rd := the word at \base + \off, an offset past an LDR's reach (struct shadow's arrays). */
.macro LDR_FAR rd, base, off
    add     \rd, \base, #((\off) & ~0xfff)
    ldr     \rd, [\rd, #((\off) & 0xfff)]
.endm

/* \out := the virtual CPSR: the flags and T of the real one (\real), the rest of vcpsr. */
.macro VIRTUAL_CPSR out, real, vcpsr, t
    VIRTUAL_CPSR_ARM \out, \real, \vcpsr
    and     \t, \real, #PSR_T
    orr     \out, \out, \t
.endm

/* The same for a guest in ARM state (T clear: every path from trap_fast_und). */
.macro VIRTUAL_CPSR_ARM out, real, vcpsr
    and     \out, \real, #PSR_FLAGS_MASK
    orr     \out, \out, \vcpsr
.endm

    .text
/* UND mode, lr = the instruction after the trapping one, r0-r12 stored below sp. */
    .global trap_fast_und
trap_fast_und:
    mrs     r0, spsr
    tst     r0, #(0xf | PSR_T)          @ User mode (else the VMM's own), ARM state
    bne     vector_und_general
    ldr     r11, =trap_fast
    ldr     r1, [lr, #-4]               @ the word the guest just executed
    ldr     r2, =MOVS_PC_LR             @ an exception return (the commonest) first: from
    cmp     r1, r2                      @ virtual SVC mode (und_movs checks), privileged
    beq     und_movs
    ldr     r2, [r11, #TF_PRIV]
    cmp     r2, #0
    beq     vector_und_general
    LINE_OP r1, r2, r3, r4, und_other, vector_und_general
    /* The cache-line and write-buffer operations (emulate.c's encodings: opc2 0 with CRm 5, 6,
     * 7; opc2 1 with CRm 5, 6, 10, 14; opc2 4 with CRm 10): nothing to do for a guest on this
     * VMM (guests' caches are the VMM's business; see ARCHITECTURE.md, "Caches"). */
    ldr     r4, [r11, #TF_STATS]
    /* The word after it decides: an ADD #imm or a second AL line operation may make a loop to
     * forward (below); a conditional line operation (Linux's arm926_flush_user_cache_range:
     * mcr, mcrne, add, ...) makes one for C's cache_batch, which runs it in closed form; so
     * does an STMIA Rn! (a page copy or clear: a block loop, whose copy C makes at once);
     * anything else: this operation alone.  The words read below, at most 16 bytes on, must
     * be on this page (mapped: the guest ran the MCR there); the next one may not be, and the
     * VMM would abort: near the page's end, this operation alone. */
    mov     r3, lr, lsl #20             @ (lr's offset in the page: 1-0xff0 (<< 20) is fine,
    sub     r3, r3, #0x00100000         @ 0 means the next page already)
    cmp     r3, #0xff000000
    bhs     line_done
    ldr     r2, [lr]
    /* The commonest first: a drain next, and after it no loop's ADD #imm: both skipped
     * (Linux's cpu_arm926_set_pte_ext: clean the line, drain the write buffer); when a TTBR0
     * write follows and the short paths are on (Linux's cpu_arm926_switch_mm: I-cache, drain,
     * the new tables), it is done in this trap too (und_ttbr), as line_pair does. */
    bic     r3, r2, #0xf000
    ldr     r5, =MCR_DRAIN
    cmp     r3, r5
    bne     2f
    ldr     r3, [lr, #4]
    and     r5, r3, #0x0fe00000
    cmp     r5, #0x02800000             @ ADD Rd, Rn, #imm
    beq     2f
    bic     r5, r3, #0xf000
    ldr     r6, =MCR_TTBR0
    cmp     r5, r6
    beq     3f
    add     lr, lr, #4
    COUNT   r4, STATS_FAST_LINES, r3, 2
    COUNT   r4, STATS_FAST_LINE_EXTRA, r3
    ldmdb   sp, {r0-r12}
    movs    pc, lr
3:  ldr     r5, [r11, #TF_GO]
    cmp     r5, #0
    beq     2f
    mov     r1, r3
    add     lr, lr, #8                  @ after the TTBR0 write
    COUNT   r4, STATS_FAST_LINES, r3, 2
    COUNT   r4, STATS_FAST_LINE_EXTRA, r3, 2
    b       und_ttbr
2:
    and     r3, r2, #0x0fe00000
    cmp     r3, #0x02800000
    beq     1f
    mov     r3, r2, lsr #20
    ldr     r5, =0xe8a                  @ stmia Rn!: a block loop (a page copied or cleared)
    cmp     r3, r5
    beq     vector_und_general
    and     r3, r2, #0x0fe00000
    cmp     r3, #0x0e000000
    bne     line_done
    and     r3, r2, #0xf0000000
    cmp     r3, #0xe0000000
    beq     1f
    ldr     r3, =0x0fff0f10
    and     r3, r2, r3
    ldr     r5, =0x0e070f10
    cmp     r3, r5
    beq     line_scan
    b       line_done
    /* A kernel's loop over a range of lines (Linux's arm926 cache functions):
     *     X: mcr p15, 0, Rn, c7, ...   [X+4: a second one on Rn]
     *        add Rn, Rn, #32
     *        cmp Rn, Rm          or      subs Rc, Rc, #32
     *        bcc X                       bhi X
     * The remaining iterations at once: the registers and the flags as the loop leaves them,
     * on after it (cache_batch.c does the same, in general, for the loops that reach C). */
1:
    and     r5, r1, #0xf000             @ Rn << 12
    cmp     r5, #0xc000
    bhi     line_done
    mov     r6, lr                      @ r6: the add; r7: operations per iteration
    mov     r7, #1
    ldr     r2, [r6]
    eor     r3, r2, r1
    tst     r3, #0xf000                 @ a second one must be on Rn as well
    bne     1f
    LINE_OP r2, r3, r8, r9, 1f, 1f
    add     r6, r6, #4
    mov     r7, #2
1:  ldr     r2, [r6]
    ldr     r3, =0xe2800020             @ add Rn, Rn, #32
    orr     r3, r3, r5
    orr     r3, r3, r5, lsl #4
    cmp     r2, r3
    bne     line_pair
    sub     r3, lr, #4                  @ the branch back to X: offset (X - (r6 + 8) - 8) / 4
    sub     r3, r3, r6
    sub     r3, r3, #16
    mov     r3, r3, asr #2
    bic     r12, r3, #0xff000000
    sub     r10, sp, #(13 * 4)          @ the guest's r0-r12
    ldr     r9, [r10, r5, lsr #10]      @ Rn, as this iteration's operation used it
    ldr     r2, [r6, #4]
    ldr     r3, =0xe1500000             @ cmp Rn, Rm
    orr     r3, r3, r5, lsl #4
    bic     r8, r2, #0xf
    cmp     r8, r3
    beq     line_range
    and     r8, r2, #0xf000             @ Rc << 12
    ldr     r3, =0xe2500020             @ subs Rc, Rc, #32
    orr     r3, r3, r8
    orr     r3, r3, r8, lsl #4
    cmp     r2, r3
    bne     line_done
    cmp     r8, #0xc000
    bhi     line_done
    cmp     r8, r5
    beq     line_done
    ldr     r2, [r6, #8]
    orr     r3, r12, #0x8a000000        @ bhi X
    cmp     r2, r3
    bne     line_done
    mov     r8, r8, lsr #12             @ Rc
    ldr     r3, [r10, r8, lsl #2]       @ its value before this iteration's subs
    cmp     r3, #32
    bls     line_done                   @ the loop ends by itself
    sub     r2, r3, #1                  @ the iterations left: ceil((Rc - 32) / 32)
    mov     r2, r2, lsr #5
    add     r9, r9, #32                 @ Rn after all of them
    add     r9, r9, r2, lsl #5
    sub     r3, r3, r2, lsl #5          @ Rc before the last subs
    subs    r12, r3, #32                @ the loop's last subs: Rc and the flags
    str     r12, [r10, r8, lsl #2]
    b       line_skip
line_range:
    and     r8, r2, #0xf                @ Rm
    cmp     r8, #12
    bhi     line_done
    cmp     r8, r5, lsr #12
    beq     line_done
    ldr     r2, [r6, #8]
    orr     r3, r12, #0x3a000000        @ bcc X
    cmp     r2, r3
    bne     line_done
    ldr     r8, [r10, r8, lsl #2]       @ Rm
    adds    r9, r9, #32                 @ this iteration's add
    bcs     line_done
    cmp     r9, r8
    bhs     line_done                   @ the loop ends by itself
    sub     r2, r8, r9                  @ the iterations left: ceil((Rm - Rn) / 32)
    add     r2, r2, #31
    mov     r2, r2, lsr #5
    adds    r9, r9, r2, lsl #5
    bcs     line_done
    cmp     r9, r8                      @ the loop's last compare
line_skip:                              @ flags: the loop's last; r9: Rn; r2: iterations left
    FLAGS_TO_GUEST r0, r3
    str     r9, [r10, r5, lsr #10]
    add     lr, r6, #12
    mul     r3, r2, r7                  @ the operations: the iterations left and all of this
    add     r3, r3, r7                  @ one; all but the trapped one forwarded
    LINES_FORWARDED r4, r3, r2
/* No loop, but two operations in a row (Linux's cpu_arm926_set_pte_ext: clean the line, drain
 * the write buffer): both skipped with this trap.  When a TTBR0 write follows (Linux's
 * cpu_arm926_switch_mm: I-cache, write buffer, then the new tables) and the short paths are on,
 * it is done in this trap too, which then counts as its (both operations as forwarded). */
line_pair:
    cmp     r7, #2
    bne     line_done
    add     lr, lr, #4
    ldr     r3, [r11, #TF_GO]
    cmp     r3, #0
    beq     1f
    ldr     r1, [lr]
    bic     r10, r1, #0xf000            @ without Rd
    ldr     r12, =MCR_TTBR0
    cmp     r10, r12
    bne     1f
    COUNT   r4, STATS_FAST_LINES, r3, 2
    COUNT   r4, STATS_FAST_LINE_EXTRA, r3, 2
    add     lr, lr, #4
    b       und_ttbr
1:  COUNT   r4, STATS_FAST_LINES, r3
    COUNT   r4, STATS_FAST_LINE_EXTRA, r3
line_done:
    COUNT   r4, STATS_FAST_LINES, r3
    ldmdb   sp, {r0-r12}
    movs    pc, lr

/* By opc2 (0..4): the CRm values of the accepted operations, a bit each. */
line_ops_by_opc2:
    .word   (1 << 5) | (1 << 6) | (1 << 7)
    .word   (1 << 5) | (1 << 6) | (1 << 10) | (1 << 14)
    .word   0
    .word   0
    .word   (1 << 10)

/* One word of a loop line_scan reads at \ptr (then on), below \end: a line operation (any
 * condition but NV; \al counts the AL ones) or `add Rn, Rn, #imm` (\rn: Rn << 12; \sum adds
 * imm) go on after the macro; anything else, in r2, to \other.  Clobbers r3, r8, r10, r11. */
.macro LOOP_WORD ptr, end, rn, sum, al, other
    cmp     \ptr, \end
    bhs     vector_und_general
    ldr     r2, [\ptr], #4
    mov     r3, r2, lsr #28
    cmp     r3, #0xf
    beq     vector_und_general          @ (NV)
    orr     r11, r2, #0xf0000000
    bic     r11, r11, #0x10000000       @ as if AL
    LINE_OP r11, r3, r8, r10, .Lnot\@, vector_und_general
    mov     r3, r2, lsr #28
    cmp     r3, #0xe
    addeq   \al, \al, #1
    b       .Lnext\@
.Lnot\@:
    orr     r3, \rn, \rn, lsl #4        @ add Rn, Rn, #imm (AL)
    orr     r3, r3, #0xe2000000
    orr     r3, r3, #0x00800000
    bic     r8, r2, #0xff
    bic     r8, r8, #0xf00
    cmp     r8, r3
    bne     \other
    and     r8, r2, #0xff
    and     r10, r2, #0xf00
    mov     r10, r10, lsr #7
    add     \sum, \sum, r8, ror r10
.Lnext\@:
.endm

/* A loop of line operations of which some are conditional (Linux's
 * arm926_flush_user_cache_range, the trap at its first MCR):
 *     X: tst Rx, #imm
 *        mcr p15, 0, Rn, c7, c14, 1
 *        mcrne p15, 0, Rn, c7, c5, 1
 *        add Rn, Rn, #32
 *        (the two MCRs and the add again)
 *        cmp Rn, Rm
 *        bcc X
 * The line operations do nothing here, whatever their conditions, and a TST sets only flags
 * the compare sets again: all the loop does is move Rn and leave the last compare's flags.
 * When the loop (at most 64 bytes on, on this page) is only those words (TSTs with an
 * immediate) before the trapped MCR and line operations and ADDs on Rn after it up to the
 * compare, Rn's steps add up to a power
 * of two and Rn does not wrap around: the remaining iterations at once (the conditional
 * operations not counted in the statistics); else C's cache_batch.  r0 = the guest's real
 * CPSR, r1 = the trapped MCR (AL), r4 = the statistics, lr = the word after it (not in the
 * page's last 16 bytes).  Three words below the guest's registers keep Rm, the AL operations
 * after the trapped one and the BCC's address. */
line_scan:
    and     r5, r1, #0xf000             @ Rn << 12
    cmp     r5, #0xc000
    bhi     vector_und_general
    mov     r12, lr, lsr #12
    add     r12, r12, #1
    mov     r12, r12, lsl #12           @ the page's end
    add     r3, lr, #64
    cmp     r3, r12
    movlo   r12, r3                     @ the forward scan's end
    mov     r6, lr
    mov     r7, #0                      @ AL line operations but the trapped one
    mov     r9, #0                      @ Rn's steps from here to the compare
1:  LOOP_WORD r6, r12, r5, r9, r7, 2f
    b       1b
2:  mov     r3, r5, lsl #4              @ cmp Rn, Rm
    orr     r3, r3, #0xe1000000
    orr     r3, r3, #0x00500000
    bic     r8, r2, #0xf
    cmp     r8, r3
    bne     vector_und_general
    and     r8, r2, #0xf                @ Rm
    cmp     r8, #12
    bhi     vector_und_general
    cmp     r8, r5, lsr #12
    beq     vector_und_general
    sub     r10, sp, #(13 * 4)
    ldr     r8, [r10, r8, lsl #2]
    str     r8, [sp, #-56]              @ Rm's value
    str     r7, [sp, #-60]
    cmp     r6, r12
    bhs     vector_und_general
    ldr     r2, [r6]
    mov     r3, r2, lsr #24
    cmp     r3, #0x3a                   @ bcc X
    bne     vector_und_general
    str     r6, [sp, #-64]
    mov     r3, r2, lsl #8
    add     r6, r6, #8
    add     r6, r6, r3, asr #6          @ X
    sub     r3, lr, #(4 + 64)
    cmp     r6, r3
    blo     vector_und_general
    mov     r3, lr, lsr #12
    cmp     r6, r3, lsl #12
    blo     vector_und_general          @ (X on this page, too)
    sub     r3, lr, #4
    cmp     r6, r3
    bhi     vector_und_general
    mov     r1, #0                      @ Rn's steps from X to the trapped MCR
3:  sub     r3, lr, #4
    cmp     r6, r3
    beq     4f
    LOOP_WORD r6, lr, r5, r1, r7, 5f
    b       3b
5:  and     r3, r2, #0x0ff00000         @ TST Rx, #imm (a register form's encoding space
    cmp     r3, #0x03100000             @ has loads, LDRH and others, too)
    bne     vector_und_general
    b       3b
4:  add     r3, r9, r1                  @ the step per iteration: a power of two
    cmp     r3, #0
    beq     vector_und_general
    sub     r8, r3, #1
    tst     r3, r8
    bne     vector_und_general
    sub     r10, sp, #(13 * 4)
    ldr     r11, [r10, r5, lsr #10]
    adds    r11, r11, r9                @ Rn at this iteration's compare
    bcs     vector_und_general
    ldr     r2, [sp, #-56]
    ldr     r1, [sp, #-60]
    add     r1, r1, #1                  @ AL operations from the trapped one to the compare
    cmp     r11, r2
    bhs     6f                          @ the loop ends at this compare
    sub     r10, r2, r11
    adds    r10, r10, r8
    bcs     vector_und_general          @ (Rn would wrap around before it reaches Rm)
    bic     r10, r10, r8                @ the steps left, rounded up to whole iterations
    adds    r11, r11, r10
    bcs     vector_und_general
    clz     r3, r3
    rsb     r3, r3, #31
    mov     r10, r10, lsr r3            @ the iterations left
    add     r7, r7, #1                  @ AL operations per iteration
    mla     r1, r10, r7, r1
6:  cmp     r11, r2                     @ the loop's last compare
    FLAGS_TO_GUEST r0, r3
    sub     r10, sp, #(13 * 4)
    str     r11, [r10, r5, lsr #10]
    ldr     r3, [sp, #-64]
    add     lr, r3, #4                  @ on after the BCC
    LINES_FORWARDED r4, r1, r2

    .ltorg

/* r0 = the guest's real CPSR, r1 = the instruction, r11 = &trap_fast. */
und_other:
    ldmia   r11, {r2-r9}                @ priv go pending vcpu shadow shared stats trace
    cmp     r3, #0
    beq     vector_und_general
    ldr     r12, =LDM_SP_ERET
    cmp     r1, r12
    beq     und_ldm_eret
    bic     r10, r1, #0xf000            @ without Rd
    ldr     r12, =MCR_DACR
    cmp     r10, r12
    beq     und_dacr
    ldr     r3, [r7, #SHARED_PAGE]
    ldr     r12, =MRS_SPSR
    cmp     r10, r12
    beq     und_mrs_spsr
    ldr     r12, =PROXY_MRS_CPSR
    cmp     r10, r12
    beq     und_mrs_cpsr
    mov     r11, #STATS_FAST_MRC_FSR    @ (und_set_rd's counter)
    ldr     r12, =MRC_DFSR
    cmp     r10, r12
    ldreq   r10, [r5, #VCPU_DFSR]
    beq     und_set_rd
    ldr     r12, =MRC_IFSR
    cmp     r10, r12
    ldreq   r10, [r5, #VCPU_IFSR]
    beq     und_set_rd
    mov     r11, #STATS_FAST_MRC_FAR
    ldr     r12, =MRC_FAR
    cmp     r10, r12
    ldreq   r10, [r5, #VCPU_FAR]
    beq     und_set_rd
    bic     r10, r1, #0xf               @ without Rm
    ldr     r12, =MSR_SPSR_ALL
    cmp     r10, r12
    beq     und_msr_spsr
    ldr     r10, =MCR_TLB_MVA_MASK
    and     r10, r1, r10
    ldr     r12, =MCR_TLB_MVA
    cmp     r10, r12
    beq     und_tlb_mva
    bic     r10, r1, #0xf000            @ without Rd
    ldr     r12, =MCR_TTBR0
    cmp     r10, r12
    bne     und_cond_line
/* MCR p15, 0, Rd, c2, c0, 0 with Rd in r0-r12: a TTBR0 write, by C (trap_quick_ttbr) on the SVC
 * stack, without the frame; C says where the guest resumes (0: take the general path).  r0 =
 * the guest's real CPSR, r1 = the instruction, lr = the one after it, whose word C is given
 * when it is on the same page (mapped: the guest ran the MCR there), else 0. */
und_ttbr:
    movs    r12, lr, lsl #20            @ (Z: lr starts a page)
    ldrne   r12, [lr]
    QUICK_CALL trap_quick_ttbr          @ (the new TTBR0)
    beq     vector_und_general
    mov     lr, r0
    ldmdb   sp, {r0-r12}
    movs    pc, lr

/* A conditional cache-line or write-buffer operation (Linux's `mcrne p15, 0, ip, c7, c10, 4`
 * after a range loop): it trapped, so its condition passed; skipped as the AL ones are, alone
 * (a loop around one starts with an AL one, from which C's cache_batch takes it).  r1 = the
 * instruction, r8 = the statistics. */
und_cond_line:
    cmp     r1, #0xf0000000             @ (NV: an MCR2, undefined)
    bhs     vector_und_general
    orr     r10, r1, #0xf0000000
    bic     r10, r10, #0x10000000       @ as if AL
    LINE_OP r10, r2, r3, r4, vector_und_general, vector_und_general
    COUNT   r8, STATS_FAST_LINES, r3
    ldmdb   sp, {r0-r12}
    movs    pc, lr

und_tlb_mva:
    tst     r1, #3                      @ CRm 5, 6 or 7
    beq     vector_und_general
/* MCR p15, 0, Rd, c8, c5|c6|c7, 1 with Rd in r0-r12: a TLB flush by MVA, by C
 * (trap_quick_tlb_mva) on the SVC stack (idle while the guest runs), without the frame; unless
 * an ADD #imm follows (on the same page: mapped, the guest ran the MCR there), the step of a
 * loop over a range (Linux's v4wbi_flush_user_tlb_range), which C's cache_batch runs whole.
 * C takes the word after it too when it is the same flush of the other TLB. */
    movs    r12, lr, lsl #20            @ (Z: lr starts a page)
    ldrne   r12, [lr]
    and     r11, r12, #0x0fe00000
    cmp     r11, #0x02800000            @ ADD Rd, Rn, #imm
    beq     vector_und_general
    QUICK_CALL trap_quick_tlb_mva       @ (the MVA)
    addne   lr, lr, #4                  @ after the pair
    ldmdb   sp, {r0-r12}
    movs    pc, lr

/* The current mode's SPSR: the shared page's, as an MSR SPSR (trampoline) may have left it. */
und_mrs_spsr:
    ldr     r10, [r3, #PAGE_SPSR]
    ldr     r12, =VCPU_MSR_SPSR_BITS
    and     r10, r10, r12
    mov     r11, #STATS_FAST_MRS_SPSR
    b       und_set_rd

/* The whole virtual CPSR: I and F as the trampolines may have left them on the shared page. */
und_mrs_cpsr:
    ldr     r2, [r5, #VCPU_VCPSR]
    ldr     r12, [r3, #PAGE_CPSR]
    bic     r2, r2, #(PSR_I | PSR_F)
    and     r12, r12, #(PSR_I | PSR_F)
    orr     r2, r2, r12
    VIRTUAL_CPSR_ARM r10, r0, r2
    mov     r11, #STATS_FAST_MRS_CPSR
    b       und_set_rd

/* Rd (bits 15:12 of the instruction) := r10; in r0-r12 it is on the stack, sp and lr are the
 * real User ones.  r11 = the offset of its counter in the statistics (r8). */
und_set_rd:
    mov     r6, r1, lsr #12
    and     r6, r6, #0xf
    cmp     r6, #15
    beq     vector_und_general
    ldr     r2, [r8, r11]
    add     r2, r2, #1
    str     r2, [r8, r11]
    ldr     r2, [r5, #VCPU_VCPSR]
    VIRTUAL_CPSR_ARM r3, r0, r2
    TRACE   r9, TRAP_UND, r0, r1, r3, r2
    cmp     r6, #13
    sub     r3, sp, #(13 * 4)
    strlo   r10, [r3, r6, lsl #2]
    blo     und_done
    msr     cpsr_c, #(PSR_MODE_SYS | PSR_I | PSR_F)
    cmp     r6, #13
    moveq   sp, r10
    movne   lr, r10
    msr     cpsr_c, #(PSR_MODE_UND | PSR_I | PSR_F)
und_done:
    ldmdb   sp, {r0-r12}
    movs    pc, lr

/* MSR SPSR_fsxc, Rm: to the shared page, as the trampoline writes it (the VMM takes it from there
 * at the next trap; und_movs and und_mrs_spsr read it there). */
und_msr_spsr:
    and     r6, r1, #0xf
    cmp     r6, #15
    beq     vector_und_general
    cmp     r6, #13
    sub     r2, sp, #(13 * 4)
    ldrlo   r10, [r2, r6, lsl #2]
    blo     1f
    msr     cpsr_c, #(PSR_MODE_SYS | PSR_I | PSR_F)
    cmp     r6, #13
    moveq   r10, sp
    movne   r10, lr
    msr     cpsr_c, #(PSR_MODE_UND | PSR_I | PSR_F)
1:  ldr     r12, =VCPU_MSR_SPSR_BITS
    and     r10, r10, r12
    str     r10, [r3, #PAGE_SPSR]
    COUNT   r8, STATS_FAST_MSR_SPSR, r2
    ldr     r2, [r5, #VCPU_VCPSR]
    VIRTUAL_CPSR_ARM r3, r0, r2
    TRACE   r9, TRAP_UND, r0, r1, r3, r2
    b       und_done

/* MCR p15, 0, Rd, c3, c0, 0: a DACR write.  Rd's value from the stored r0-r12. */
und_dacr:
    GUEST_RD r1, r10, r12               @ the new guest DACR
    /* Right after a SWI: the DACR a kernel sets on entry (Linux's PAN), which the SWI path
     * takes early from then on; a new one goes to C (shadow_set_entry_dacr). */
    ldr     r2, [r9, #TRACE_NEXT]
    sub     r2, r2, #1
    and     r2, r2, #TRACE_MASK
    ldr     r2, [r9, r2, lsl #4]        @ the kind of the trap before
    cmp     r2, #TRAP_SWI
    bne     1f
    ldr     r2, [r6, #SHADOW_ENTRY_DACR]
    cmp     r2, r10
    bne     vector_und_general
1:  DACR_FROM_MEMO r10, r6, MEMO_PRIV, r12, r2, vector_und_general
    str     r10, [r5, #VCPU_DACR]
    str     r10, [r6, #SHADOW_GUEST_DACR]
    str     r12, [r6, #SHADOW_REAL_DACR]
    mcr     p15, 0, r12, c3, c0, 0
    str     r10, [r7, #SHARED_DACR]     @ (vcpu_shared_export_dacr)
    ldr     r3, [r7, #SHARED_PAGE]
    str     r10, [r3, #PAGE_DACR]
    str     r2, [r3, #PAGE_DACR_NEED]
    COUNT   r8, STATS_FAST_DACR, r2
    ldr     r2, [r5, #VCPU_VCPSR]
    VIRTUAL_CPSR_ARM r3, r0, r2
    TRACE   r9, TRAP_UND, r0, r1, r3, r2
    ldmdb   sp, {r0-r12}
    movs    pc, lr

/* `movs pc, lr`: from virtual SVC to User mode, with no interrupt line left unmasked and the
 * guest's DACR (maybe granted by a trampoline since the last trap) in the memo.  The SVC SPSR
 * and the User sp and lr come from the shared page, as vcpu_shared_import takes them.
 * r0 = the guest's real CPSR, r1 = the instruction, r11 = &trap_fast. */
und_movs:
    ldmia   r11, {r2-r9}                @ priv go pending vcpu shadow shared stats trace
    cmp     r3, #0
    beq     vector_und_general
    ldr     r10, [r5, #VCPU_VCPSR]
    and     r12, r10, #PSR_MODE_MASK
    cmp     r12, #PSR_MODE_SVC
    bne     und_eret_exc
    ERET_CHECK r7, r3, r2, PSR_MODE_USR, r4
    ldr     r4, [r3, #PAGE_DACR]     @ the guest DACR
    DACR_FROM_MEMO r4, r6, MEMO_USER, r12, r11, vector_und_general
    /* From here on it happens.  The trace first, with the CPSR the trap was taken in. */
    str     r11, [r3, #PAGE_DACR_NEED]
    VIRTUAL_CPSR_ARM r11, r0, r10
    TRACE   r9, TRAP_UND, r0, r1, r11, r10
    COUNT   r8, STATS_FAST_ERET, r0
    str     r2, [r5, #VCPU_SPSR_SVC]
    str     r4, [r5, #VCPU_DACR]
    str     r4, [r6, #SHADOW_GUEST_DACR]
    str     r4, [r7, #SHARED_DACR]
    str     r12, [r6, #SHADOW_REAL_DACR]
    mcr     p15, 0, r12, c3, c0, 0
    mov     r12, #0
    strb    r12, [r6, #SHADOW_VPRIV]
    ldr     r11, =trap_fast
    str     r12, [r11, #TF_PRIV]
    MIXED_FLIP r6, 1, r1, r4, r8, r9, r10
    /* Banks: SVC's sp and lr to the vCPU, User's from the shared page (SYS mode has them). */
    ldr     r1, [r3, #PAGE_USR_SP]
    ldr     r4, [r3, #PAGE_USR_LR]
    str     r1, [r7, #SHARED_USR_SP]
    str     r4, [r7, #SHARED_USR_LR]
    msr     cpsr_c, #(PSR_MODE_SYS | PSR_I | PSR_F)
    str     sp, [r5, #VCPU_SP_SVC]
    str     lr, [r5, #VCPU_LR_SVC]
    mov     r12, lr                     @ where `movs pc, lr` goes
    mov     sp, r1
    mov     lr, r4
    msr     cpsr_c, #(PSR_MODE_UND | PSR_I | PSR_F)
    ERET_COMMIT r2, r12, r5, r8, r1
    /* The shared page (vcpu_shared_export): CPSR, MSR_CHECK (User mode: every MSR traps,
     * fastpath_msr_check()), SPSR (none in User mode). */
    mvn     r9, #0
    mov     r10, #0
    stmia   r3, {r8, r9, r10}
    str     r10, [r7, #SHARED_SPSR]
    ldmdb   sp, {r0-r12}
    movs    pc, lr

/* `ldmia sp, {r0-pc}^` from virtual SVC to SVC mode (Linux's svc_exit: the end of an exception
 * the kernel took in SVC mode), with no interrupt line left unmasked: the 16 words read with
 * the guest kernel's own permissions (LDRT: real User mode's, which the shadow gives it), into
 * the words below its registers first; an abort there (a page the shadow has not filled, a
 * lazy DACR grant, an address the guest may not read) ends at ldm_eret_fixup (fault_fixup.c),
 * and the general path emulates the instruction.  Then the registers, CPSR = the SVC SPSR from
 * the shared page (as an MSR SPSR trampoline may have left it), the real DACR unchanged
 * (privileged both).  r0 = the guest's real CPSR, r1 = the instruction, r2-r9 = trap_fast's
 * priv go pending vcpu shadow shared stats trace. */
und_ldm_eret:
    ldr     r10, [r5, #VCPU_VCPSR]
    and     r12, r10, #PSR_MODE_MASK
    cmp     r12, #PSR_MODE_SVC
    bne     vector_und_general
    ERET_CHECK r7, r3, r2, PSR_MODE_SVC, r4
    msr     cpsr_c, #(PSR_MODE_SYS | PSR_I | PSR_F)
    mov     r12, sp                     @ the guest's sp (SYS mode has the User one)
    msr     cpsr_c, #(PSR_MODE_UND | PSR_I | PSR_F)
    tst     r12, #3
    bne     vector_und_general
    sub     r11, sp, #(13 * 4 + 16 * 4)
    .global ldm_eret_guarded, ldm_eret_guarded_end
ldm_eret_guarded:
    .rept   4
    ldrt    r1, [r12], #4
    ldrt    r4, [r12], #4
    ldrt    r6, [r12], #4
    ldrt    r7, [r12], #4
    stmia   r11!, {r1, r4, r6, r7}
    .endr
ldm_eret_guarded_end:
    /* From here on it happens.  The trace first, with the CPSR the trap was taken in. */
    VIRTUAL_CPSR_ARM r7, r0, r10
    ldr     r1, =LDM_SP_ERET
    TRACE   r9, TRAP_UND, r0, r1, r7, r4
    COUNT   r8, STATS_FAST_ERET, r4
    sub     r11, sp, #(13 * 4 + 16 * 4)
    sub     r12, sp, #(13 * 4)
    .rept   3
    ldmia   r11!, {r1, r4, r6, r7}      @ r0-r11
    stmia   r12!, {r1, r4, r6, r7}
    .endr
    ldmia   r11, {r1, r4, r6, r7}       @ r12, sp, lr, pc
    str     r1, [r12]
    msr     cpsr_c, #(PSR_MODE_SYS | PSR_I | PSR_F)
    mov     sp, r4
    mov     lr, r6
    msr     cpsr_c, #(PSR_MODE_UND | PSR_I | PSR_F)
    str     r2, [r5, #VCPU_SPSR_SVC]    @ the SPSR as imported
    ERET_COMMIT r2, r7, r5, r12, r1
    /* The shared page (vcpu_shared_export): CPSR, MSR_CHECK (fastpath_msr_check(SVC,
     * pending)); SPSR as it is, and what the VMM remembers of it. */
    ldr     r11, =trap_fast
    ldr     r4, [r11, #TF_PENDING]
    ldr     r7, [r11, #TF_SHARED]
    MSR_CHECK_SVC r4, r4
    str     r12, [r3, #PAGE_CPSR]
    str     r4, [r3, #PAGE_MSR_CHECK]
    str     r2, [r7, #SHARED_SPSR]
    ldmdb   sp, {r0-r12}
    movs    pc, lr

/* An abort in ldm_eret_guarded resumes here (vmm_fault_fixup), UND mode's registers as they
 * were then: the guest's are still below sp, untouched. */
    .global ldm_eret_fixup
ldm_eret_fixup:
    b       vector_und_general

/* `movs pc, lr` from virtual ABT, UND or IRQ mode to SVC mode (a kernel's vector stub going on
 * to its handler), with no interrupt line left unmasked: the SPSR from the shared page, the
 * banks swapped, the real DACR unchanged (privileged both).  r10 = vcpsr, r12 = its mode. */
und_eret_exc:
    cmp     r12, #PSR_MODE_ABT
    moveq   r6, #VBANK_OF_ABT
    cmp     r12, #PSR_MODE_UND
    moveq   r6, #VBANK_OF_UND
    cmp     r12, #PSR_MODE_IRQ
    moveq   r6, #VBANK_OF_IRQ
    cmp     r12, #PSR_MODE_ABT
    cmpne   r12, #PSR_MODE_UND
    cmpne   r12, #PSR_MODE_IRQ
    bne     vector_und_general
    ERET_CHECK r7, r3, r2, PSR_MODE_SVC, r4
    /* From here on it happens. */
    VIRTUAL_CPSR_ARM r11, r0, r10
    TRACE   r9, TRAP_UND, r0, r1, r11, r12
    COUNT   r8, STATS_FAST_ERET, r4
    add     r12, r5, #VCPU_SPSR_BANK0
    str     r2, [r12, r6, lsl #2]       @ the mode's SPSR, as imported
    add     r4, r5, #VCPU_SP_USR        @ banked_sp[], banked_lr[]
    add     r11, r5, #VCPU_LR_USR
    msr     cpsr_c, #(PSR_MODE_SYS | PSR_I | PSR_F)
    str     sp, [r4, r6, lsl #2]
    str     lr, [r11, r6, lsl #2]
    mov     r12, lr                     @ where `movs pc, lr` goes
    ldr     sp, [r5, #VCPU_SP_SVC]
    ldr     lr, [r5, #VCPU_LR_SVC]
    msr     cpsr_c, #(PSR_MODE_UND | PSR_I | PSR_F)
    ERET_COMMIT r2, r12, r5, r12, r4
    ldr     r1, [r3, #PAGE_MSR_CHECK]   @ fastpath_msr_check() of SVC mode (the pending lines
    cmn     r1, #1                      @ stay, all ones: privileged both)
    movne   r1, #(PSR_MODE_SVC << 26)
    str     r1, [r3, #PAGE_MSR_CHECK]
    ldr     r4, [r5, #VCPU_SPSR_SVC]
    ERET_EXPORT r3, r7, r12, r4

/* ABT mode, lr = the aborted instruction, r0-r12 stored below sp. */
    .global trap_fast_dabt
trap_fast_dabt:
    FAST_ENTRY vector_dabt_general
    cmp     r1, #0                      @ from a virtual privileged mode
    beq     vector_dabt_general
    ldr     r9, [r6, #SHARED_PAGE]
    ldr     r10, [r9, #PAGE_DACR]       @ the guest DACR, as the trampolines left it
    ldr     r12, [r6, #SHARED_DACR]
    cmp     r10, r12
    beq     dabt_quick_read             @ no grant since the last trap: a quick read, or C
    DACR_FROM_MEMO r10, r5, MEMO_PRIV, r12, r1, vector_dabt_general
    str     r10, [r4, #VCPU_DACR]
    str     r10, [r5, #SHADOW_GUEST_DACR]
    str     r12, [r5, #SHADOW_REAL_DACR]
    mcr     p15, 0, r12, c3, c0, 0
    str     r10, [r6, #SHARED_DACR]
    str     r1, [r9, #PAGE_DACR_NEED]
    COUNT   r7, STATS_FAST_GRANT, r1
    ldr     r2, [r4, #VCPU_VCPSR]
    VIRTUAL_CPSR r3, r0, r2, r12
    mov     r2, #0
    TRACE   r8, TRAP_DABT, r1, r2, r3, r9
    ldmdb   sp, {r0-r12}
    movs    pc, lr

/* A read of a device register C remembers: the VM's quick key (guest_fault.h) is checked here,
 * and on a hit only the device is read again (vm_board_read_dev_quiet, on the SVC stack, idle
 * while the guest runs), straight into the guest's Rd; then back after the load.  Else C
 * (guest_fault_quick_read) makes a key and reads, or the general path takes the abort.
 * r0 = the guest's real CPSR, r4-r8 = trap_fast's vcpu shadow shared stats trace, r10 = the
 * guest DACR (the shared page's), r11 = &trap_fast, lr = the aborted instruction. */
dabt_quick_read:
    tst     r0, #PSR_T
    bne     vector_dabt_general
    ldr     r9, [r11, #TF_QUICK]
    ldmia   r9, {r1, r3}                @ the key's word, va
    /* The guest fetched this word from here a moment ago: a privileged read of it cannot fault
     * (on ARMv5 whatever User mode may read, a privileged mode may).  (The same word elsewhere
     * loads the same: the address is checked, not the pc.) */
    ldr     r6, [lr]
    cmp     r6, r1
    bne     quick_read_c
    mrc     p15, 0, r2, c6, c0, 0       @ FAR (unaligned: the device read below refuses it)
    sub     r3, r2, r3
    ldr     r1, [r9, #QK_SIZE]
    cmp     r3, r1                      @ (size 0: no key)
    bhs     quick_read_c
    ldr     r1, [r9, #QK_DACR_MASK]
    ldr     r3, [r9, #QK_DACR]
    and     r1, r1, r10
    cmp     r1, r3
    bne     quick_read_c
    ldr     r1, [r9, #QK_FLUSHES]
    LDR_FAR r3, r5, SHADOW_FLUSHES
    cmp     r1, r3
    beq     quick_read_go
    /* TLB maintenance since: the walk still holds if the slot's pool table is still clean
     * under the key's L1 descriptor, in the key's period (shadow_walk_gen(vm, FAR, l1_desc) ==
     * key.gen, gen 0: never).  The slot's own l1_from is not compared: it differs only when
     * the guest changed the L1 entry with no TLB maintenance of that slot since (one by MVA
     * renews the generation, a whole flush drops or parks the table), and a TLB may then still
     * hold the old translation. */
    ldr     r10, [r9, #QK_GEN]
    cmp     r10, #0                     @ (a never-watched table's generation is 0 too)
    beq     quick_read_c
    mov     r1, r2, lsr #20             @ the slot
    add     r12, r5, r1
    ldrb    r12, [r12, #SHADOW_SLOT_TABLE]  @ 1 + its pool table's id, 0: none
    subs    r12, r12, #1
    bmi     quick_read_c
    add     r12, r5, r12, lsl #2
    LDR_FAR r1, r12, SHADOW_CLEAN_FROM  @ watch_clean()
    ldr     r11, [r9, #QK_L1_DESC]
    cmp     r1, r11
    bne     quick_read_c
    LDR_FAR r1, r12, SHADOW_CLEAN_GEN
    cmp     r1, r10
    bne     quick_read_c
    str     r3, [r9, #QK_FLUSHES]       @ good until the next TLB maintenance, as checked
quick_read_go:
    mov     r10, r0                     @ (r4-r11 live through the call)
    ldr     r0, [r9, #QK_VM]
    ldr     r1, [r9, #QK_DEV]
    ldr     r3, [r9, #QK_PA_OFF]
    add     r2, r2, r3                  @ the register's guest-physical address
    ldr     r3, [r9, #QK_RD]
    sub     r12, sp, #(13 * 4)
    add     r3, r12, r3, lsl #2         @ the guest's Rd, saved below sp
    msr     cpsr_c, #(PSR_MODE_SVC | PSR_I | PSR_F)
    bl      vm_board_read_dev_quiet
    msr     cpsr_c, #(PSR_MODE_ABT | PSR_I | PSR_F)
    cmp     r0, #0                      @ (an event due first: Rd untouched)
    beq     vector_dabt_general
    COUNT   r7, STATS_FAST_KEY_READS, r1
/* Done, the guest's Rd written: the trace (r6 = the word, r10 = the real CPSR), then back
 * after the load. */
quick_read_done:
    ldr     r2, [r4, #VCPU_VCPSR]
    VIRTUAL_CPSR r3, r10, r2, r12
    mov     r2, r6
    TRACE   r8, TRAP_DABT, r1, r2, r3, r12
    ldmdb   sp, {r0-r12}
    add     lr, lr, #4
    movs    pc, lr

/* The key did not hold: C makes one, then reads (same registers as above, r6 = the word). */
quick_read_c:
    mov     r10, r0
    mrc     p15, 0, r0, c6, c0, 0       @ FAR
    mov     r1, lr
    mov     r2, r6
    sub     r3, sp, #(13 * 4)           @ the guest's r0-r12
    msr     cpsr_c, #(PSR_MODE_SVC | PSR_I | PSR_F)
    bl      guest_fault_quick_read
    msr     cpsr_c, #(PSR_MODE_ABT | PSR_I | PSR_F)
    cmp     r0, #0
    beq     vector_dabt_general
    b       quick_read_done

/* SVC mode, lr = the instruction after the SWI, r0-r12 stored below sp. */
    .global trap_fast_swi
trap_fast_swi:
    FAST_ENTRY vector_swi_general
    cmp     r1, #0                      @ from virtual User mode
    bne     vector_swi_general
    tst     r3, #PSR_F                  @ an FIQ would be taken right away: C delivers it
    bne     vector_swi_general
    /* r9, r10, r12 := the real DACR, its need word and the guest DACR the kernel starts
     * with, as remembered for this guest DACR (struct shadow_swi_memo; C makes it anew at a
     * SWI with another one). */
    ldr     r12, [r5, #SHADOW_GUEST_DACR]
    ldr     r10, [r5, #SHADOW_SWI_KEY]
    cmp     r10, r12
    bne     vector_swi_general
    add     r1, r5, #SHADOW_SWI_REAL
    ldmia   r1, {r9, r10, r12}
swi_go:
    /* From here on it happens.  r0 = the guest's real CPSR, r3 = pending, r4-r8 = trap_fast's
     * vcpu shadow shared stats trace, r11 = &trap_fast. */
    COUNT   r7, STATS_FAST_SWI, r1
    str     r9, [r5, #SHADOW_REAL_DACR]
    mcr     p15, 0, r9, c3, c0, 0
    mov     r9, #1
    strb    r9, [r5, #SHADOW_VPRIV]
    str     r9, [r11, #TF_PRIV]
    ldr     r11, [r11, #TF_SWI_VECTOR]
    ldr     r2, [r4, #VCPU_VCPSR]
    VIRTUAL_CPSR r7, r0, r2, r1         @ r7 = the CPSR the SWI was taken in: SPSR_svc
    and     r0, r0, #PSR_FLAGS_MASK     @ the real CPSR: User mode, flags kept, T clear
    orr     r0, r0, #PSR_MODE_USR
    msr     spsr_cxsf, r0
    mov     r1, #0
    TRACE   r8, TRAP_SWI, r0, r1, r7, r9
    str     r7, [r4, #VCPU_SPSR_SVC]
    bic     r2, r2, #PSR_MODE_MASK
    orr     r2, r2, #(PSR_MODE_SVC | PSR_I)
    str     r2, [r4, #VCPU_VCPSR]
    /* Banks: User's sp and lr to the vCPU, SVC's sp and the link from it (SYS mode has them). */
    mov     r0, lr
    msr     cpsr_c, #(PSR_MODE_SYS | PSR_I | PSR_F)
    mov     r8, sp
    mov     r9, lr
    ldr     sp, [r4, #VCPU_SP_SVC]
    mov     lr, r0
    msr     cpsr_c, #(PSR_MODE_SVC | PSR_I | PSR_F)
    str     r8, [r4, #VCPU_SP_USR]
    str     r9, [r4, #VCPU_LR_USR]
    /* The shared page as vcpu_shared_export leaves it in SVC mode: CPSR, MSR_CHECK
     * (fastpath_msr_check(SVC, r3)), SPSR, USR_SP, USR_LR, DACR_NEED; and what it remembers. */
    MSR_CHECK_SVC r3, r3
    ldr     r0, [r6, #SHARED_PAGE]
    stmia   r0, {r2, r3, r7, r8, r9, r10}
    add     r1, r6, #SHARED_SPSR
    stmia   r1, {r7, r8, r9, r12}       @ spsr usr_sp usr_lr dacr
    MIXED_FLIP r5, 0, r0, r1, r2, r3, r7
    /* To the guest's SWI vector. */
    mov     lr, r11
    ldmdb   sp, {r0-r12}
    movs    pc, lr
    .ltorg
