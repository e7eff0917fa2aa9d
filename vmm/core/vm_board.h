/* A VM's virtual Integrator/CP board at run time (paper §3.6, §4.4): the device models
 * (vmm/vdev) driven by virtual time, their interrupt lines into the virtual CPU, the console
 * on the real UART0, and waiting for interrupts. */
#ifndef ARMVMM_VM_BOARD_H
#define ARMVMM_VM_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "trap.h"

struct vm;
struct vcpu;

void vm_board_init(struct vm *vm);

/* The VM's virtual time in ns: it runs on while the VM waits. */
uint64_t vm_now(const struct vm *vm);

/* An access of the guest to a device's guest-physical address. */
uint32_t vm_board_read(struct vm *vm, uint32_t gpa, unsigned size);
/* A word read that changes nothing but the statistics (vboard_read_quiet; never with a device
 * passed through): the trap needs no exit work after it.  The device at gpa that allows them
 * (NULL: none), then a read at gpa inside it: false, with nothing done, when it cannot be
 * quiet now (a device event is due). */
struct vdev *vm_board_quiet_device(struct vm *vm, uint32_t gpa);
bool vm_board_read_dev_quiet(struct vm *vm, struct vdev *dev, uint32_t gpa, uint32_t *value);
void vm_board_write(struct vm *vm, uint32_t gpa, uint32_t value, unsigned size);

/* Brings the devices up to now; when the next device event is due. */
void vm_board_sync(struct vm *vm);
uint64_t vm_board_next_event(const struct vm *vm);

/* Delivers a pending virtual FIQ or IRQ the virtual CPSR allows, at the guest's pc. */
void vm_board_deliver(struct vcpu *v, struct trap_frame *f);

/* A real interrupt arrived: the event timer (returns true: it fired), or terminal input for
 * the console VM. */
bool vm_board_real_irq(void);

#endif
