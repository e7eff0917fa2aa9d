#include "stats.h"

#include "decode.h"
#include "log.h"
#include "proxy.h"
#include "trap.h"
#include "vboard.h"
#include "vcpu.h"
#include "vm.h"

/* CRn of an MCR/MRC word, when its coprocessor is 15. */
static bool cp15_crn(uint32_t insn, unsigned *crn)
{
    *crn = insn >> 16 & 15;
    return (insn >> 8 & 15) == 15;
}

/* Where the probes for key start in a table of n (a power of two) entries: a multiplicative
 * hash, so that neighbouring words (a pair of sites, a device's registers) and devices at the
 * same offset spread. */
static unsigned slot_of(uint32_t key, unsigned n)
{
    return (unsigned)((key >> 2) * 2654435761u >> 16) & (n - 1);
}

/* Emulated instructions by guest address, the VMs' together (vm: whose). */
#define STATS_SITES 256
_Static_assert((STATS_SITES & (STATS_SITES - 1)) == 0, "hashed into a power of two");

static struct stats_site {
    uint32_t pc, insn, count;      /* count 0: free */
    uint8_t vm;
} sites[STATS_SITES];

void stats_count_site(struct trap_stats *s, uint32_t pc, uint32_t insn, unsigned kind)
{
    unsigned crn;
    s->by_insn_kind[kind & 31]++;
    if (!s->sites_on)
        return;
    if ((kind == INSN_MCR || kind == INSN_MRC) && cp15_crn(insn, &crn))
        (kind == INSN_MCR ? s->cp15_writes : s->cp15_reads)[crn]++;
    else if (kind == INSN_PROXY)
        s->proxies[proxy_op(insn)]++;
    for (unsigned i = 0, h = slot_of(pc ^ s->vm_id, STATS_SITES); i < STATS_SITES;
         i++, h = (h + 1) % STATS_SITES) {
        struct stats_site *e = &sites[h];
        if (e->count == 0 || (e->pc == pc && e->vm == s->vm_id)) {
            *e = (struct stats_site){ pc, insn, e->count + 1, s->vm_id };
            return;
        }
    }
    s->other_sites++;
}

/* Device registers accessed, by word: the guest-physical address with the VM's id in its low
 * bits (the table is the image's for every VM: one VM's boot may fill most of it). */
#define STATS_MMIO 256
_Static_assert((STATS_MMIO & (STATS_MMIO - 1)) == 0, "hashed into a power of two");
_Static_assert(MAX_VMS <= 4, "a VM's id fits in a word address's low bits");

static struct stats_mmio {
    uint32_t key, reads, writes;   /* key 0: free (no device at guest-physical 0) */
} mmio_regs[STATS_MMIO];

static uint32_t mmio_key(const struct trap_stats *s, uint32_t gpa)
{
    return (gpa & ~3u) | s->vm_id;
}

void stats_count_mmio_on(struct trap_stats *s, uint32_t gpa, bool write)
{
    uint32_t key = mmio_key(s, gpa);
    for (unsigned i = 0, h = slot_of(key, STATS_MMIO); i < STATS_MMIO;
         i++, h = (h + 1) % STATS_MMIO) {
        struct stats_mmio *e = &mmio_regs[h];
        if (e->key == 0 || e->key == key) {
            e->key = key;
            *(write ? &e->writes : &e->reads) += 1;
            return;
        }
    }
    s->other_mmio++;
}

/* The busiest sites (ten, or all with --stats-all), by a simple selection (this runs once, at
 * exit). */
static void print_top_sites(const struct trap_stats *s)
{
    uint32_t last = 0xffffffffu, last_pc = 0;
    log_printf("  busiest emulated sites (pc, instruction, count):\n");
    for (unsigned n = 0; n < (s->sites_all ? STATS_SITES : 10); n++) {
        const struct stats_site *best = 0;
        for (unsigned i = 0; i < STATS_SITES; i++) {
            const struct stats_site *e = &sites[i];
            bool below = e->count < last || (e->count == last && e->pc > last_pc);
            if (e->count && e->vm == s->vm_id && below &&
                (!best || e->count > best->count || (e->count == best->count && e->pc < best->pc)))
                best = e;
        }
        if (!best)
            break;
        struct insn d;
        decode_arm(best->insn, &d);
        log_printf("    %08x  %08x  %-10s %u\n", best->pc, best->insn, insn_kind_name(d.kind),
                   best->count);
        last = best->count;
        last_pc = best->pc;
    }
    if (s->other_sites)
        log_printf("    (%u at sites not tracked)\n", s->other_sites);
}

/* One counter, indented by its depth below the line it is part of (bench/run.sh reads that). */
static void print_line(unsigned depth, const char *name, uint32_t n)
{
    if (depth == 0)
        log_printf("  %-22s %u\n", name, n);
    else
        log_printf("    %-20s %u\n", name, n);
}

static uint32_t sum(const uint32_t *a, unsigned n)
{
    uint32_t t = 0;
    for (unsigned i = 0; i < n; i++)
        t += a[i];
    return t;
}

/* The traps of the cache-line operations trap_fast.S skipped (one per trap, but a loop's rest). */
static uint32_t fast_line_traps(const struct trap_stats *s)
{
    return s->fast_lines - s->fast_line_extra;
}

/* CP15 accesses by CRn (C's and the assembly paths'), each register with its count. */
static void print_cp15(const char *what, const uint32_t by_crn[16])
{
    static const char *const names[16] = {
        "c0 ID", "c1 control", "c2 TTBR0", "c3 DACR", "c4", "c5 FSR", "c6 FAR", "c7 cache",
        "c8 TLB", "c9 cache lockdown", "c10 TLB lockdown", "c11", "c12", "c13 FCSE PID",
        "c14", "c15 test",
    };
    print_line(0, what, sum(by_crn, 16));
    for (unsigned c = 0; c < 16; c++)
        if (by_crn[c])
            print_line(1, names[c], by_crn[c]);
}

/* Whether e is a register of s's VM and of the device d (NULL: of none of the n). */
static bool mmio_of(const struct trap_stats *s, const struct stats_mmio *e,
                    const struct vboard_device *d, const struct vboard_device *all, unsigned n)
{
    uint32_t gpa = e->key & ~3u;
    if (!e->key || (e->key & 3u) != s->vm_id)
        return false;
    if (d)
        return gpa - d->base < d->size;
    for (unsigned i = 0; i < n; i++)
        if (gpa - all[i].base < all[i].size)
            return false;
    return true;
}

/* One device's registers (d NULL: the addresses of no device), under a line of their sum. */
static void print_device(const struct trap_stats *s, const struct vboard_device *d,
                         const struct vboard_device *all, unsigned n)
{
    uint32_t total = 0, base = d ? d->base : 0;
    for (unsigned k = 0; k < STATS_MMIO; k++)
        if (mmio_of(s, &mmio_regs[k], d, all, n))
            total += mmio_regs[k].reads + mmio_regs[k].writes;
    if (!total)
        return;
    print_line(1, d ? d->name : "no device", total);
    for (unsigned k = 0; k < STATS_MMIO; k++) {
        const struct stats_mmio *e = &mmio_regs[k];
        if (!mmio_of(s, e, d, all, n))
            continue;
        if (e->reads)
            log_printf("      +0x%03x read %9u\n", (e->key & ~3u) - base, e->reads);
        if (e->writes)
            log_printf("      +0x%03x write %8u\n", (e->key & ~3u) - base, e->writes);
    }
}

/* Device accesses by device and register (--stats). */
static void print_mmio(const struct trap_stats *s)
{
    unsigned n;
    const struct vboard_device *d = vboard_devices(&n);
    for (unsigned i = 0; i < n; i++)
        print_device(s, &d[i], d, n);
    print_device(s, NULL, d, n);
    if (s->other_mmio)
        print_line(1, "registers not tracked", s->other_mmio);
}

/* Exceptions and interrupts delivered, by vector (the assembly's SWIs counted in). */
static void print_delivered(const struct trap_stats *s, const uint32_t entered[VEXC_COUNT])
{
    print_line(0, "exceptions delivered", s->delivered + s->fast_swi);
    print_line(1, "undefined vector", entered[VEXC_UND]);
    print_line(1, "SWI vector", entered[VEXC_SWI] + s->fast_swi);
    print_line(1, "prefetch abort vector", entered[VEXC_PABT]);
    print_line(1, "data abort vector", entered[VEXC_DABT]);
    print_line(0, "interrupts delivered", s->interrupts);
    print_line(1, "IRQ vector", entered[VEXC_IRQ]);
    print_line(1, "FIQ vector", entered[VEXC_FIQ]);
    print_line(0, "shadow fills", s->fills[0] + s->fills[1]);
    print_line(1, "after a data abort", s->fills[0]);
    print_line(1, "after a prefetch abort", s->fills[1]);
}

static void print_state(const struct trap_stats *s)
{
    const uint32_t *st = s->fast_state;
    print_line(0, "asm state accesses", sum(st, STATS_STATE_KINDS));
    print_line(1, "MRS SPSR", st[STATS_STATE_MRS_SPSR]);
    print_line(1, "MRS CPSR (a proxy)", st[STATS_STATE_MRS_CPSR]);
    print_line(1, "MRC DFSR or IFSR", st[STATS_STATE_MRC_FSR]);
    print_line(1, "MRC FAR", st[STATS_STATE_MRC_FAR]);
    print_line(1, "MSR SPSR", st[STATS_STATE_MSR_SPSR]);
}

/* The sensitive instructions emulated, by what they touch: the CPSR proxies and CP15 by
 * register, C's and the assembly paths' together, each trapping or taken in the trap of the
 * one before (the trampolines' never trap; the rest of a loop of cache-line operations or TLB
 * flushes run in one trap is in "cache-line operations" and "emulated instructions" only). */
static void print_by_register(const struct trap_stats *s)
{
    uint32_t reads[16], writes[16];
    uint32_t mrs = s->proxies[PROXY_OP_MRS_CPSR] + s->fast_state[STATS_STATE_MRS_CPSR];
    uint32_t msr = s->proxies[PROXY_OP_MSR_CPSR_REG] + s->proxies[PROXY_OP_MSR_CPSR_IMM];
    for (unsigned c = 0; c < 16; c++) {
        reads[c] = s->cp15_reads[c];
        writes[c] = s->cp15_writes[c];
    }
    writes[3] += s->fast_dacr;
    writes[7] += fast_line_traps(s);
    reads[5] += s->fast_state[STATS_STATE_MRC_FSR];
    reads[6] += s->fast_state[STATS_STATE_MRC_FAR];
    uint32_t reserved = sum(&s->proxies[PROXY_OP_FIRST_RESERVED],
                            sizeof s->proxies / sizeof s->proxies[0] - PROXY_OP_FIRST_RESERVED);
    print_line(0, "CPSR proxies emulated", mrs + msr + reserved);
    print_line(1, "MRS CPSR proxy", mrs);
    print_line(1, "MSR CPSR proxy", msr);
    if (reserved)
        print_line(1, "reserved (UNDEFINED)", reserved);
    print_cp15("CP15 writes emulated", writes);
    print_cp15("CP15 reads emulated", reads);
}

void stats_print(const struct vm *vm)
{
    const struct trap_stats *s = &vm->stats;
    uint32_t by_kind[TRAP_NR_KINDS], by_insn_kind[INSN_KIND_COUNT], total = 0;
    uint32_t fast_und = s->fast_eret + s->fast_dacr + sum(s->fast_state, STATS_STATE_KINDS);

    /* What vectors.S handled alone counts where C would have counted it. */
    for (unsigned k = 0; k < TRAP_NR_KINDS; k++)
        by_kind[k] = s->by_kind[k];
    for (unsigned k = 0; k < INSN_KIND_COUNT; k++)
        by_insn_kind[k] = s->by_insn_kind[k];
    by_kind[TRAP_SWI] += s->fast_swi;
    by_kind[TRAP_UND] += fast_und + fast_line_traps(s);
    by_kind[TRAP_DABT] += s->fast_grant + s->fast_reads + s->fast_key_reads;
    by_insn_kind[INSN_DATA_PROC] += s->fast_eret;
    by_insn_kind[INSN_MCR] += s->fast_dacr;
    by_insn_kind[INSN_MRS] += s->fast_state[STATS_STATE_MRS_SPSR];
    by_insn_kind[INSN_PROXY] += s->fast_state[STATS_STATE_MRS_CPSR];
    by_insn_kind[INSN_MRC] += s->fast_state[STATS_STATE_MRC_FSR] +
                              s->fast_state[STATS_STATE_MRC_FAR];
    by_insn_kind[INSN_MSR] += s->fast_state[STATS_STATE_MSR_SPSR];

    for (unsigned k = 0; k < TRAP_NR_KINDS; k++)
        total += by_kind[k];
    vmm_log("vm%u '%s' trap statistics: %u traps\n", vm->id, vm->name, total);
    for (unsigned k = 0; k < TRAP_NR_KINDS; k++)
        print_line(0, trap_kind_name(k), by_kind[k]);
    print_line(0, "semihosting calls", s->semihosting);
    print_line(0, "emulated instructions", s->emulated + fast_und);
    print_line(0, "emulated accesses", s->emulated_accesses + s->fast_reads + s->fast_key_reads);
    print_delivered(s, vm->vcpu.entered);
    print_line(0, "device accesses", s->mmio);
    print_mmio(s);
    print_line(0, "waits for interrupt", s->waits);
    print_line(0, "cache-line operations", s->cache_ops + s->fast_lines);
    print_line(0, "block loops", s->blocks);
    print_line(0, "asm SWI forwards", s->fast_swi);
    print_line(0, "asm exception returns", s->fast_eret);
    print_line(0, "asm DACR writes", s->fast_dacr);
    print_line(0, "asm DACR grants", s->fast_grant);
    print_state(s);
    print_line(0, "quick device reads", s->fast_reads + s->fast_key_reads);
    print_line(1, "by the key in asm", s->fast_key_reads);
    print_line(0, "tables kept unread", s->tables_unread);
    print_line(0, "L1 pages kept unread", s->l1_pages_unread);
    print_line(0, "watch-ending writes", s->watch_writes);
    print_by_register(s);
    for (unsigned k = 0; k < INSN_KIND_COUNT; k++)
        if (by_insn_kind[k])
            log_printf("  emulated %-13s %u\n", insn_kind_name(k), by_insn_kind[k]);
    print_top_sites(s);
}
