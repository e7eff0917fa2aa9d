/* The vCPU page shared with the guest kernel: what makes the common CPSR proxies trap-free
 * (common/fastpath.h has the scheme; `armvmm run` links the trampolines).
 *
 * One page per vCPU, mapped at every odd page of the VM's trampoline region, uncached (the
 * VMM's own view of it is another virtual address, and the ARM926's D-cache is VIVT; the VMM's
 * view is uncached too, the image's .uncached section) and kernel-only (the PRIV_ONLY page
 * class: guest User mode cannot reach it).  The guest kernel can write anything there; the VMM
 * takes back only what the trampolines may change (vcpu_shared_import: I and F, the SPSR
 * through the MSR write mask, the User sp and lr, the DACR), so a guest writing garbage there
 * reaches only its own vCPU's state. */
#ifndef ARMVMM_VCPU_SHARED_H
#define ARMVMM_VCPU_SHARED_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "bootinfo.h"

struct vm;
struct vcpu;

struct vcpu_shared {
    uint32_t va, gpa, size;     /* the trampoline region; size 0: the VM has none */
    volatile uint32_t *page;    /* the shared page, as the VMM sees it */
    hpa_t page_hpa;
    uint32_t spsr;              /* the SPSR and User sp, lr last exported: a different value */
    uint32_t usr_sp, usr_lr;    /* there was written by a trampoline */
    uint32_t dacr;
};

void vcpu_shared_init(struct vm *vm, const struct bootinfo_vm *bi);

struct trap_frame;

/* At trap entry: the virtual I and F bits, the SPSR, the User sp and lr and the DACR the
 * trampolines changed since the last trap (f: the guest's registers). */
void vcpu_shared_import(struct vcpu *v, struct trap_frame *f);
/* Its DACR part alone (vcpu_shared_import does it too): a DACR a trampoline wrote, or the
 * SWI path took early, into the vCPU and the shadow. */
void vcpu_shared_import_dacr(struct vcpu *v);
/* Whether a trampoline wrote a DACR since the last export (VSHARED_DACR is not shared.dacr). */
bool vcpu_shared_grant_pending(const struct vm *vm);
/* Before the guest resumes: the virtual state the trampolines read. */
void vcpu_shared_export(struct vcpu *v, const struct trap_frame *f);
/* The same for the virtual DACR alone (the only thing a DACR write changes there). */
void vcpu_shared_export_dacr(struct vcpu *v);

/* The host page that guest-physical gpa maps to when it is one of the shared pages. */
bool vcpu_shared_page_at(const struct vm *vm, uint32_t gpa, hpa_t *page);
/* True if guest-physical gpa is in the trampoline region. */
bool vcpu_shared_in_region(const struct vm *vm, uint32_t gpa);
/* True if the guest megabyte at gpa holds shared pages (it must be shadowed 4 KB at a time). */
bool vcpu_shared_in_megabyte(const struct vm *vm, uint32_t gpa);
/* True while the guest executes a trampoline (pc at its virtual or guest-physical address):
 * an interrupt must not be delivered there, its scratch words are live. */
bool vcpu_shared_in_trampoline(const struct vm *vm, uint32_t pc);

#endif
