/* The VMM's view of a VM's memory: guest-physical RAM through temporary mappings (bounds-checked
 * against the VM's RAM), and guest-virtual addresses through the guest's own tables as the
 * hardware would walk them (guest_ptw.c) — independent of what the shadow tables hold. */
#ifndef ARMVMM_GUEST_MEM_H
#define ARMVMM_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_ptw.h"

struct vm;
struct vcpu;

/* size 1, 2 or 4, any alignment inside RAM; false if [gpa, gpa+size) is not all guest RAM. */
bool guest_phys_read(struct vm *vm, uint32_t gpa, unsigned size, uint32_t *val);
bool guest_phys_write(struct vm *vm, uint32_t gpa, unsigned size, uint32_t val);

/* The walker's callback: a word of guest RAM (ctx is the struct vm). */
bool guest_phys_read_word(void *ctx, uint32_t gpa, uint32_t *val);
/* The page of guest RAM at gpa (page aligned), mapped uncached for reading page tables: valid
 * until the next call of these two, and as long as no two other pages of its set (page number
 * modulo GUEST_TABLE_SETS) are mapped after it; 0 if it is not RAM.  A read sees what the guest
 * cleaned to memory, as the hardware walker would. */
#define GUEST_TABLE_SETS 16
const volatile uint32_t *guest_table_page(struct vm *vm, uint32_t gpa);

/* An access to translate: its kind, User permissions or not, its size for alignment checks
 * (SCTLR.A), and whether alignment is checked whatever SCTLR.A says (QEMU: LDM/STM, LDRD). */
struct guest_access_req {
    enum gptw_access access;
    bool user;
    uint8_t size;
    bool align_always;
};

/* Translates va for an access as the guest's MMU would; the walk's result in *res. */
bool guest_translate(struct vm *vm, const struct gptw_mmu *mmu, uint32_t va,
                     const struct guest_access_req *a, struct gptw_result *res);

/* The instruction word at guest virtual address va, as the guest fetched it: through the real
 * MMU when it is mapped (the usual case: the guest just executed it), else through the guest's
 * own tables.  False if neither reaches it. */
bool guest_fetch_insn(struct vcpu *v, uint32_t va, uint32_t *insn);

/* Ends a trap's use of guest memory through the emulator's hooks (see guest_mem.c). */
void guest_mem_forget(void);

#endif
