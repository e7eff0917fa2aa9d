/* Trap-free CPSR proxies (the "fast path"): what `armvmm run` (tools/armvmm/fastpath.c) and the
 * VMM (vmm/core/fastpath.c) agree on.  docs/PERFORMANCE.md tells why, docs/PATCHER.md how.
 *
 * The patcher turns every MRS/MSR on the CPSR into a proxy that traps (~1,000 VMM instructions
 * each; Linux's irq save/restore runs them by the thousand per fork).  When the guest reserves
 * a trampoline region, `armvmm run` links the two common proxies to trap-free trampolines:
 *
 *   MRS Rd, CPSR        -> B<cond> tramp:  Rd := shared.cpsr | the real CPSR (NZCVQ, and User
 *                                           mode's bits, which shared.cpsr's include)
 *   MSR CPSR_c, Rm|#imm -> B<cond> tramp:  shared.cpsr[7:0] := Rm[7:0] when neither the mode nor
 *                                           T changes and no interrupt line is pending;
 *                                           otherwise the original proxy traps, as before
 *
 * and, in a kernel (code that never runs in User mode), accesses to virtual state that trap on
 * their own:
 *
 *   MRS Rd, SPSR / MRC p15, 0, Rd, c1 (SCTLR) / c3 (DACR), c0, 0
 *                       -> B<cond> tramp:  Rd := shared.spsr / .sctlr / .dacr
 *   MSR SPSR_fsxc, Rm   -> B<cond> tramp:  shared.spsr := Rm & shared.spsr_mask (the VMM takes
 *                                           it into the vCPU at the next trap)
 *   MCR p15, 0, Rd, c3, c0, 0 (a DACR write)
 *                       -> B<cond> tramp:  shared.dacr := Rd when it only grants access (no
 *                                           domain loses Client or Manager, compared with what
 *                                           the real DACR grants), taken into the real
 *                                           DACR at the next trap, a domain fault included;
 *                                           a write that takes access away traps, as before
 *   STM Rn, {sp, lr}^   -> B<cond> tramp:  the User sp and lr from the shared page to memory
 *   LDM Rn, {..., sp, lr}^ (no pc)         the User sp and lr from memory to the shared page
 *                                           (taken into the vCPU at the next trap), the other
 *                                           registers loaded as usual
 * The last two assume the kernel runs them in an exception mode other than FIQ (whose r8-r12
 * are not the User ones) and SYS (whose sp and lr are), as Linux does.
 *
 * Each trampoline ends with a branch back to the instruction after its site.  They read and
 * write the vCPU's shared page PC-relative, so the region interleaves code pages with aliases of
 * that page (region page 2k: code, 2k+1: the shared page):
 *
 *   region + 0      +4K            +8K      +12K            +16K
 *   | code page 0  | shared page  | code 1 | shared page   | ...
 *     ^ code starts at FASTPATH_CODE_START, so every field of the page above is in LDR reach
 *
 * The region is guest RAM the guest never uses (Linux: a /memreserve/ after _end; a bare-metal
 * guest: its __armvmm_fastpath_start/_end symbols).  The VMM maps each odd page, by guest-
 * physical address, to the vCPU's shared page (uncached, kernel-only), copies shared.cpsr's
 * I and F into the virtual CPSR at every trap and writes cpsr/msr_check back before it resumes.
 * It never delivers an interrupt while the guest's pc is in the region (the scratch words are
 * live there); it comes back a few microseconds later instead. */
#ifndef ARMVMM_FASTPATH_H
#define ARMVMM_FASTPATH_H

#define FASTPATH_PAGE_SIZE     4096u
#define FASTPATH_CODE_START    64u      /* first trampoline byte in a code page */

/* The shared page (byte offsets): two cache lines.  The order lets the VMM's short paths
 * (trap_fast.S) move CPSR to DACR_NEED with one STM, SPSR to USR_LR with one LDM. */
#define VSHARED_CPSR      0u   /* virtual CPSR: mode, A, I, F (flags and T read 0) */
#define VSHARED_MSR_CHECK 4u   /* what an MSR CPSR_c may write untrapped: fastpath_msr_check() */
#define VSHARED_SPSR      8u   /* the current mode's SPSR (0 in User mode) */
#define VSHARED_USR_SP    12u  /* the User-mode sp and lr (the banked ones, in an exception */
#define VSHARED_USR_LR    16u  /* mode) */
#define VSHARED_DACR_NEED 20u  /* what a DACR write must keep, untrapped: fastpath_dacr_need() */
#define VSHARED_DACR      24u  /* the virtual CP15 c3 and c1, as MRC reads them */
#define VSHARED_SCTLR     28u
#define VSHARED_SCRATCH   32u  /* the trampolines' spilled register */
#define VSHARED_SPSR_MASK 36u  /* the SPSR bits an MSR may write */
#define VSHARED_SIZE      40u

/* The trampolines decide without touching the flags (they would have to save and restore them):
 * a value is zero or not, told by CLZ (32 for zero only), and the branch is ADD pc, pc, x. */

/* VSHARED_MSR_CHECK: value v goes to shared.cpsr[7:0] without a trap when check ^ v << 26 is
 * zero.  In a privileged mode with no interrupt line pending, check = the mode << 26 (T 0):
 * zero when v keeps the mode and T (v[5:0]; its I and F may be anything).  In User mode, and
 * while a line is pending (the kernel, which has it masked, is about to unmask it: an MSR that
 * keeps it masked traps too then, rarely), every MSR traps: all ones, never zero.  A nonzero
 * value has a bit in 26-31 or is all ones below: CLZ 0..6, as the trampoline's test needs. */
static inline unsigned fastpath_msr_check(int privileged, unsigned mode, unsigned pending_bits)
{
    return privileged && !pending_bits ? mode << 26 : ~0u;
}
/* VSHARED_DACR_NEED, for the guest DACR the real one grants (g): a write of n needs no trap
 * when need & ~n == 0, i.e. no domain loses Client (n keeps each low bit set in g) nor Manager
 * (n keeps the high bit of each field that is 3 in g). */
static inline unsigned fastpath_dacr_need(unsigned g)
{
    return (g & 0x55555555u) | (g & g << 1 & 0xaaaaaaaau);
}

/* Every field must be in reach of an LDR [pc, #+4095] from every code word: the farthest pair
 * is the first code word and the last field. */
_Static_assert(4096 + VSHARED_SIZE - 4 - (FASTPATH_CODE_START + 8) <= 4095,
               "shared-page fields out of PC-relative reach");

/* Region page `index` holds the shared page (odd) or trampolines (even). */
#define FASTPATH_IS_SHARED_PAGE(index) (((index) & 1u) != 0)

/* A bare-metal guest reserves its region with these symbols (page aligned, an even number of
 * pages, within branch reach of its code). */
#define FASTPATH_SYM_START "__armvmm_fastpath_start"
#define FASTPATH_SYM_END   "__armvmm_fastpath_end"

#endif
