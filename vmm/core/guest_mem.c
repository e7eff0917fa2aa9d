#include "guest_mem.h"

#include "guest_access.h"
#include "mmu.h"
#include "pte.h"
#include "vm.h"

/* One access inside one host page, through a temporary mapping. */
static void phys_access(struct vm *vm, uint32_t gpa, unsigned size, uint32_t *val, bool write)
{
    uint8_t *p = tmpmap_map(TMPMAP_SLOT_GUEST, hpa(vm->ram_hpa.pa + gpa));
    for (unsigned i = 0; i < size; i++) {
        if (write)
            p[i] = (uint8_t)(*val >> (8 * i));
        else
            *val |= (uint32_t)p[i] << (8 * i);
    }
    tmpmap_unmap(TMPMAP_SLOT_GUEST, p, size);
}

static bool phys_rw(struct vm *vm, uint32_t gpa, unsigned size, uint32_t *val, bool write)
{
    if (gpa >= vm->ram_size || size > vm->ram_size - gpa)
        return false;
    if (!write)
        *val = 0;
    unsigned first = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
    if (first >= size) {
        phys_access(vm, gpa, size, val, write);
        return true;
    }
    /* Straddles two pages: bytes one by one. */
    for (unsigned i = 0; i < size; i++) {
        uint32_t b = write ? (*val >> (8 * i)) & 0xff : 0;
        phys_access(vm, gpa + i, 1, &b, write);
        if (!write)
            *val |= b << (8 * i);
    }
    return true;
}

bool guest_phys_read(struct vm *vm, uint32_t gpa, unsigned size, uint32_t *val)
{
    return phys_rw(vm, gpa, size, val, false);
}

bool guest_phys_write(struct vm *vm, uint32_t gpa, unsigned size, uint32_t val)
{
    return phys_rw(vm, gpa, size, &val, true);
}

bool guest_phys_read_word(void *ctx, uint32_t gpa, uint32_t *val)
{
    return (gpa & 3) == 0 && guest_phys_read(ctx, gpa, 4, val);
}

bool guest_translate(struct vm *vm, const struct gptw_mmu *mmu, uint32_t va,
                     const struct guest_access_req *a, struct gptw_result *res)
{
    struct gptw_req req = { .va = va, .access = a->access, .user = a->user, .align = a->size,
                            .align_always = a->align_always };
    return gptw_walk(mmu, &req, guest_phys_read_word, vm, res);
}

/* The emulator's hooks (guest_access.h): one aligned word at a guest virtual address. */
static uint32_t va_word(struct vcpu *v, uint32_t va, bool user, uint32_t *value, bool write)
{
    struct gptw_mmu mmu;
    struct gptw_result r;

    vcpu_gptw_mmu(v, &mmu);
    struct guest_access_req a = { write ? GPTW_WRITE : GPTW_READ, user, 4, true };
    if (!guest_translate(v->vm, &mmu, va, &a, &r))
        return r.fsr;
    if (write ? guest_phys_write(v->vm, r.pa, 4, *value) : guest_phys_read(v->vm, r.pa, 4, value))
        return 0;
    if (!write)
        *value = 0;   /* nothing there: reads zero, as on the board */
    return 0;
}

uint32_t guest_read_word(struct vcpu *v, uint32_t va, bool user, uint32_t *value)
{
    return va_word(v, va, user, value, false);
}

uint32_t guest_write_word(struct vcpu *v, uint32_t va, bool user, uint32_t value)
{
    return va_word(v, va, user, &value, true);
}
