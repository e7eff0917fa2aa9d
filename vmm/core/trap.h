/* The trap frame and the C side of the trap flow (vectors.S -> trap_entry -> back to the guest). */
#ifndef ARMVMM_TRAP_H
#define ARMVMM_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "asm.h"

struct shadow;
struct vcpu;
struct trap_stats;
struct trace_ring;
struct vcpu_shared;

/* The guest's real registers, as the vectors save them.  pc follows the "resume" convention:
 * UND/SWI the next instruction, PABT/DABT the faulting one, IRQ/FIQ the interrupted one.
 * cpsr is the real CPSR of the guest: always User mode; only its flags are the guest's. */
struct trap_frame {
    uint32_t r[13];
    uint32_t sp, lr, pc, cpsr;
};

_Static_assert(__builtin_offsetof(struct trap_frame, sp) == FRAME_SP, "frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, pc) == FRAME_PC, "frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, cpsr) == FRAME_CPSR, "frame layout");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "frame layout");

/* Register n (0..14) of a frame: r0-r12, sp and lr of the guest's current mode. */
static inline uint32_t trap_frame_get(const struct trap_frame *f, unsigned n)
{
    return n < 13 ? f->r[n] : n == 13 ? f->sp : f->lr;
}

static inline void trap_frame_set(struct trap_frame *f, unsigned n, uint32_t value)
{
    if (n < 13)
        f->r[n] = value;
    else if (n == 13)
        f->sp = value;
    else
        f->lr = value;
}

const char *trap_kind_name(unsigned kind);

/* A TLB flush by MVA from a virtual privileged mode, called by trap_fast.S without the frame (on
 * the SVC stack): mva, the instruction's address and word, the guest's real CPSR, the word
 * after it (0: not read).  True when that word, the same flush of another TLB, was taken too
 * (the guest resumes after it). */
bool trap_quick_tlb_mva(uint32_t mva, uint32_t pc, uint32_t insn, uint32_t cpsr, uint32_t next);

/* A TTBR0 write (MCR p15, 0, Rd, c2, c0, 0, AL) from a virtual privileged mode, the same way:
 * ttbr, the instruction's address and word, the real CPSR, the word after it (0: not read).
 * Returns where the guest resumes (after it, or after the whole-TLB flush that follows it), or
 * 0: the general path's. */
uint32_t trap_quick_ttbr(uint32_t ttbr, uint32_t pc, uint32_t insn, uint32_t cpsr, uint32_t next);

/* Called by vectors.S for every exception from the guest; returns to resume it. */
void trap_entry(struct trap_frame *frame, unsigned kind);

/* What the short paths at the vectors need (trap_fast.S, which lists them; they run without
 * C), set by trap_prepare_resume() before every resume and kept up to date by those paths: the
 * cache-line one runs whenever the virtual mode is privileged (priv), the others only while go
 * is set, and then only when the state involved is the common one (else C). */
struct trap_fast {
    uint32_t priv;                 /* the virtual mode is privileged */
    uint32_t go;                   /* the paths other than the cache-line one may run */
    uint32_t pending;              /* VPSR_I / VPSR_F: the virtual IRQ / FIQ line is up */
    struct vcpu *vcpu;             /* the running vCPU and its VM's parts */
    struct shadow *shadow;
    struct vcpu_shared *shared;
    struct trap_stats *stats;
    struct trace_ring *trace;
    struct quick_key *quick;       /* the VM's last quick device read (guest_fault.h) */
    uint32_t swi_vector;           /* the guest's SWI vector (its vector base + 8) */
};
extern struct trap_fast trap_fast;

/* Before vCPU v resumes with the registers f: the state the trampolines read (the shared page)
 * and trap_fast. */
void trap_prepare_resume(struct vcpu *v, const struct trap_frame *f);

/* Enters a guest with the registers regs: copies them into the live frame at the top of the SVC
 * stack, which it then runs on, and returns to User mode (vectors.S); never returns. */
_Noreturn void arch_enter_guest(const struct trap_frame *regs);

#endif
