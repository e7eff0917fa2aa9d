#include "vm_board.h"

#include "board.h"
#include "integratorcp.h"
#include "log.h"
#include "shadow.h"
#include "sched.h"
#include "vm.h"

/* The VM that receives the terminal's input: the first one. */
static struct vm *console_vm;

uint64_t vm_now(const struct vm *vm)
{
    (void)vm;
    return board_now_ns();
}

static void hook_log(void *ctx, const char *dev, const char *msg, uint32_t offset, uint32_t value)
{
    struct vm *vm = ctx;
    vmm_log("vm%u %s: %s (offset 0x%x, value 0x%x)\n", vm->id, dev, msg, offset, value);
}

static void console_puts(const char *s)
{
    while (*s)
        board_console_putc(*s++);
}

/* UART0 is the terminal.  Alone, a VM's output goes there byte for byte; when several VMs share
 * the terminal each line goes out whole, prefixed with the VM's name, so lines never mix. */
static void hook_uart_tx(void *ctx, unsigned uart, uint8_t byte)
{
    if (uart == 1) {   /* the real UART1: QEMU's second serial port, `armvmm run --serial1` */
        board_uart1_putc((char)byte);
        return;
    }
    struct vm *vm = ctx;
    if (uart != 0)
        return;
    if (sched_vm_count() == 1) {
        board_console_putc((char)byte);
        return;
    }
    vm->line[vm->line_len++] = (char)byte;
    if (byte == '\n' || vm->line_len == sizeof(vm->line) - 1) {
        vm->line[vm->line_len] = '\0';
        console_puts("[");
        console_puts(vm->name);
        console_puts("] ");
        console_puts(vm->line);
        if (byte != '\n')
            board_console_putc('\n');
        vm->line_len = 0;
    }
}

/* Moves console input from the real UART0 into the VM's while it has room; the real receive
 * interrupt stays off while the VM's FIFO is full, or it would fire without end. */
static void console_pull(struct vm *vm)
{
    char c;
    if (!vm || vm->state == VM_ENDED)
        return;
    while (vboard_uart_rx_room(&vm->board, 0) && board_console_getc(&c))
        vboard_uart_rx(&vm->board, 0, (uint8_t)c);
    board_console_rx_irq(vboard_uart_rx_room(&vm->board, 0) != 0);
}

static void hook_uart_rx_ready(void *ctx, unsigned uart)
{
    if (uart == 0)
        console_pull(ctx);
}

static void hook_reset(void *ctx)
{
    struct vm *vm = ctx;
    vmm_log("vm%u '%s': board reset requested (core module)\n", vm->id, vm->name);
}

/* A passed-through UART1's interrupt, routed to its VM: the real line, sampled, is the VM's
 * virtual line 2.  The real line is enabled only while the virtual one is low, so a level that
 * stays up (until the guest clears the cause, directly on the device) raises one real interrupt,
 * not a storm; it is sampled again at every device access and trap exit. */
static void passthrough_irq_sync(struct vm *vm)
{
    if (!(vm->passthrough & BOOT_PASSTHROUGH_UART1))
        return;
    bool level = (board_irq_raw() >> IRQ_UART1) & 1;
    vpic_set_input(&vm->board.pic, VBOARD_IRQ_UART1, level);
    board_irq_enable(IRQ_UART1, !level);
}

/* The page of a passed-through UART reached through an emulated instruction: the real device,
 * as the guest's direct accesses. */
static int passthrough_uart(const struct vm *vm, uint32_t gpa)
{
    if (!shadow_is_passthrough(vm, gpa))
        return -1;
    return (gpa & ~0xfffu) == INTEGRATOR_UART1_BASE ? 1 : 0;
}

void vm_board_init(struct vm *vm)
{
    struct vboard_config cfg = {
        .ram_size = vm->ram_size,
        .now = vm_now(vm),
        .rtc_seconds = 0,
        .hooks = { .ctx = vm, .log = hook_log, .uart_tx = hook_uart_tx,
                   .uart_rx_ready = hook_uart_rx_ready, .reset_request = hook_reset },
    };
    vboard_init(&vm->board, &cfg);
    passthrough_irq_sync(vm);
    if (!console_vm) {
        console_vm = vm;
        board_console_rx_irq(true);
    }
}

void vm_board_sync(struct vm *vm)
{
    passthrough_irq_sync(vm);
    vboard_advance(&vm->board, vm_now(vm));
}

uint64_t vm_board_next_event(const struct vm *vm)
{
    return vboard_next_event(&vm->board);
}

static void end_on_reset(struct vm *vm)
{
    if (vboard_reset_requested(&vm->board))
        vm_exit(vm, 0);   /* `reboot` on the board: the VM ends with status 0 */
}

uint32_t vm_board_read(struct vm *vm, uint32_t gpa, unsigned size)
{
    int pt = passthrough_uart(vm, gpa);
    if (pt >= 0)
        return board_uart_read((unsigned)pt, gpa, size);
    passthrough_irq_sync(vm);
    uint32_t v = vboard_read(&vm->board, gpa, size, vm_now(vm));
    stats_count_mmio(&vm->stats, gpa, false);
    return v;
}

struct vdev *vm_board_quiet_device(struct vm *vm, uint32_t gpa)
{
    return vm->passthrough ? 0 : vboard_quiet_device(&vm->board, gpa);
}

bool vm_board_read_dev_quiet(struct vm *vm, struct vdev *dev, uint32_t gpa, uint32_t *value)
{
    if (!vboard_read_dev_quiet(&vm->board, dev, gpa, vm_now(vm), value))
        return false;
    stats_count_mmio(&vm->stats, gpa, false);
    return true;
}

void vm_board_write(struct vm *vm, uint32_t gpa, uint32_t value, unsigned size)
{
    int pt = passthrough_uart(vm, gpa);
    if (pt >= 0) {
        board_uart_write((unsigned)pt, gpa, value, size);
        return;
    }
    passthrough_irq_sync(vm);
    vboard_write(&vm->board, gpa, value, size, vm_now(vm));
    stats_count_mmio(&vm->stats, gpa, true);
    vm->device_writes++;
    end_on_reset(vm);
}

void vm_board_deliver(struct vcpu *v, struct trap_frame *f)
{
    passthrough_irq_sync(v->vm);   /* the guest may have cleared it on the device */
    struct vboard *b = &v->vm->board;
    if (b->cpu_fiq && !vcpu_fiq_masked(v))
        vcpu_enter_exception(v, f, VEXC_FIQ, vcpu_trap_link(VEXC_FIQ, f->pc));
    else if (b->cpu_irq && !vcpu_irq_masked(v))
        vcpu_enter_exception(v, f, VEXC_IRQ, vcpu_trap_link(VEXC_IRQ, f->pc));
    else
        return;
    v->vm->stats.interrupts++;
}

bool vm_board_real_irq(void)
{
    bool timer = board_timer_ack();
    console_pull(console_vm);
    return timer;
}
