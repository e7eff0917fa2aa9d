/* The MMU test guests' access harness (access.S, access.c): single accesses of each kind,
 * one way to run them in User mode, and the recording of the aborts they are expected to take.
 * (address, value) -> value.  A data abort inside [acc_start, acc_end) resumes at the next
 * instruction; a prefetch abort of acc_fetch's target resumes at fetch_back. */
#ifndef GUEST_ACCESS_H
#define GUEST_ACCESS_H

#include <stdint.h>

typedef uint32_t (*acc_fn)(uint32_t addr, uint32_t value);
uint32_t acc_read(uint32_t, uint32_t), acc_write(uint32_t, uint32_t), acc_ldrt(uint32_t, uint32_t),
    acc_strt(uint32_t, uint32_t), acc_ldrh(uint32_t, uint32_t), acc_ldm(uint32_t, uint32_t),
    acc_ldrd(uint32_t, uint32_t), acc_svc_exit(uint32_t, uint32_t), acc_fetch(uint32_t, uint32_t);
/* fn(a0, a1) in User mode; the guest's SWI handler sends `svc #0x55` back to user_return. */
uint32_t run_user(acc_fn fn, uint32_t a0, uint32_t a1);
extern char acc_start[], acc_end[], fetch_back[], user_return[], svc_exit_back[];

/* The last expected abort: data (kind 4) or prefetch (kind 3), its FSR and FAR. */
struct access_abort {
    uint32_t count, kind, fsr, far;
};
extern volatile struct access_abort access_abort;

/* Between access_expect() and access_done(), an abort of the harness (a data abort inside it,
 * a prefetch abort at fetch_target) is recorded and the access resumes. */
void access_expect(uint32_t fetch_target);
void access_done(void);

/* For the guest's guest_exception(): records and resumes an expected abort (1), or 0. */
int access_take_abort(uint32_t kind, uint32_t *regs);

#endif
