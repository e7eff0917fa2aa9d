/* System tests: the project's bare-metal guests booted on QEMU through build/armvmm, natively and
 * under the VMM.  Differential testing is the oracle: a guest's console output and exit status
 * must be identical on the bare board and in a VM; every failure prints what differed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_tests.h"
#include "proc.h"

#define EXIT_VM_STOPPED 125
#define EXIT_VMM_PANIC  126

static char armvmm[512], guests[512], vmm_elf[512], tmpdir[512];

static void *read_file(const char *path, size_t *len);

static const char *guest(const char *name)
{
    static char path[8][600];
    static unsigned next;
    char *p = path[next++ % 8];
    snprintf(p, sizeof(path[0]), "%s/%s.elf", guests, name);
    return p;
}

/* Runs `armvmm run [--native] [extra] GUEST` with a timeout. */
static struct proc_result run_guest(const char *g, int native, const char *extra)
{
    return proc_run_guest(armvmm, g, native, (const char *const[]){ extra, NULL });
}

/* The native run n against a VMM run with option opt (or none): same stdout byte for byte and
 * same status. */
static void assert_vmm_run_same(const char *name, const struct proc_result *n, int expected_status,
                                const char *opt, const char *what)
{
    struct proc_result v = run_guest(guest(name), 0, opt);
    int same = n->out_len == v.out_len && !memcmp(n->out, v.out, n->out_len);

    if (!same || n->status != v.status || n->status != expected_status) {
        printf("guest %s: native status %d, %s status %d, expected %d\n", name, n->status, what,
               v.status, expected_status);
        if (!same)
            print_diff("native stdout", n->out, what, v.out);
        proc_report(what, &v);
        fail_msg("%s differs natively and %s", name, what);
    }
    proc_result_free(&v);
}

/* The differential check, natively and in a VM, and in a VM with every CPSR proxy trapping
 * (--no-fastpath): the trampolines must not change what a guest sees. */
static void assert_same_native_and_vmm(const char *name, int expected_status)
{
    struct proc_result n = run_guest(guest(name), 1, NULL);

    assert_true(n.out_len > 0);
    assert_vmm_run_same(name, &n, expected_status, NULL, "under the VMM");
    assert_vmm_run_same(name, &n, expected_status, "--no-fastpath", "under the VMM, --no-fastpath");
    proc_result_free(&n);
}

static void test_hello_same_natively_and_in_vm(void **state)
{
    (void)state;
    assert_same_native_and_vmm("hello", 0);
}

static void test_exit_status_propagates(void **state)
{
    (void)state;
    assert_same_native_and_vmm("exit_status_0", 0);
    assert_same_native_and_vmm("exit_status_3", 3);
    assert_same_native_and_vmm("exit_reason_error", 1);
}

static void test_stats_count_traps(void **state)
{
    (void)state;
    struct proc_result n = run_guest(guest("hello"), 1, NULL);
    struct proc_result v = run_guest(guest("hello"), 0, "--stats");
    if (strcmp(n.out, v.out)) {
        print_diff("native stdout", n.out, "VMM --stats stdout", v.out);
        fail_msg("--stats changed the guest's output");
    }
    if (v.status != 0 || proc_stat(v.err, "trap statistics: ") <= 0) {
        proc_report("VMM --stats", &v);
        fail_msg("expected status 0 and a non-zero trap count");
    }
    assert_non_null(strstr(v.err, "SWI"));
    proc_result_free(&n);
    proc_result_free(&v);
}

/* The sites --stats lists after "busiest emulated sites". */
static unsigned count_sites(const char *err)
{
    const char *p = strstr(err, "busiest emulated sites");
    unsigned n = 0;
    while (p && (p = strchr(p, '\n')) && !strncmp(++p, "    ", 4) && p[4] != '(')
        n++;
    return n;
}

/* --stats breaks its counts down: exceptions delivered and interrupts by vector (counted where
 * the vCPU enters them) and device accesses by device and register (counted by register) add
 * up to their totals (counted elsewhere), in guests that deliver exceptions, take interrupts,
 * drive devices and fault on their tables; and --stats-all lists every site. */
static void test_stats_break_down(void **state)
{
    (void)state;
    static const char *const guests[] = { "exceptions", "irq", "mmu_basic", "cp15" };
    static const char *const lines[] = {
        "exceptions delivered", "interrupts delivered", "device accesses",
    };
    for (unsigned g = 0; g < sizeof guests / sizeof guests[0]; g++) {
        struct proc_result v = run_guest(guest(guests[g]), 0, "--stats");
        for (unsigned l = 0; l < sizeof lines / sizeof lines[0]; l++) {
            long left = proc_stat_unexplained(v.err, lines[l]);
            if (v.status != 0 || left != 0) {
                proc_report(guests[g], &v);
                fail_msg("%s --stats: '%s' is not the sum of its lines (%ld left over)",
                         guests[g], lines[l], left);
            }
        }
        printf("%s --stats: %ld exceptions delivered, %ld interrupts, %ld device accesses, %ld "
               "shadow fills, %ld CP15 writes emulated\n", guests[g],
               proc_stat(v.err, "exceptions delivered"), proc_stat(v.err, "interrupts delivered"),
               proc_stat(v.err, "device accesses"), proc_stat(v.err, "shadow fills"),
               proc_stat(v.err, "CP15 writes emulated"));
        proc_result_free(&v);
    }
    /* the ten busiest sites, or (--stats-all) every one: cp15 traps at more than ten */
    struct proc_result ten = run_guest(guest("cp15"), 0, "--stats");
    struct proc_result all = run_guest(guest("cp15"), 0, "--stats-all");
    unsigned n_ten = count_sites(ten.err), n_all = count_sites(all.err);
    printf("cp15: %u sites listed with --stats, %u with --stats-all\n", n_ten, n_all);
    if (n_ten != 10 || n_all <= 10) {
        proc_report("cp15 --stats-all", &all);
        fail_msg("expected 10 sites with --stats and more with --stats-all, got %u and %u",
                 n_ten, n_all);
    }
    proc_result_free(&ten);
    proc_result_free(&all);
}

/* The guest reads the VMM's window and vectors page: natively the board gives zeros; under the
 * VMM it must see exactly that or be stopped, never a VMM byte. */
static void test_probe_window_never_sees_vmm(void **state)
{
    (void)state;
    struct proc_result n = run_guest(guest("probe_window"), 1, NULL);
    struct proc_result v = run_guest(guest("probe_window"), 0, NULL);

    if (n.status != 0 || strstr(n.out, "read ffff0000: 00000000") == NULL) {
        proc_report("native probe", &n);
        fail_msg("the bare board should read zeros there");
    }
    int prefix = v.out_len <= n.out_len && !memcmp(v.out, n.out, v.out_len);
    if (!prefix || (v.status != 0 && v.status != EXIT_VM_STOPPED) ||
        (v.status == EXIT_VM_STOPPED && !strstr(v.err, "stopped"))) {
        print_diff("native stdout", n.out, "VMM stdout", v.out);
        proc_report("VMM probe", &v);
        fail_msg("the probe saw something the board would not give");
    }
    printf("probe_window under the VMM: status %d, stdout \"%s\"\n", v.status, v.out);
    proc_result_free(&n);
    proc_result_free(&v);
}

/* A privileged instruction: natively it runs in SVC mode; under the VMM the guest is in User
 * mode, so it traps (counted) and is emulated to the same result. */
static void test_privileged_instruction_traps_and_is_emulated(void **state)
{
    (void)state;
    struct proc_result n = run_guest(guest("probe_priv"), 1, NULL);
    struct proc_result v = run_guest(guest("probe_priv"), 0, "--stats");
    if (n.status != 0 || v.status != 0 || strcmp(n.out, v.out) || !strstr(n.out, "midr 41069265") ||
        proc_stat(v.err, "undefined instruction") < 1) {
        print_diff("native stdout", n.out, "VMM stdout", v.out);
        proc_report("VMM probe_priv --stats", &v);
        fail_msg("the MRC should trap (User mode) and read the host's main ID");
    }
    proc_result_free(&n);
    proc_result_free(&v);
}

/* Processor modes, banked registers, SPSRs, User mode and back, STM^/LDM^, exception returns. */
static void test_modes_and_banked_registers(void **state)
{
    (void)state;
    assert_same_native_and_vmm("modes", 0);
}

/* System calls as a kernel makes them, 300 of them: the same output natively, under the VMM and
 * with --no-fastpath, and under the VMM the short assembly paths (trap_fast.S) must be the ones
 * that took them, so the comparison is about those paths; their DACR writes take no trap. */
static void test_syscalls_take_the_assembly_paths(void **state)
{
    (void)state;
    assert_same_native_and_vmm("syscalls", 0);
    struct proc_result v = run_guest(guest("syscalls"), 0, "--stats");
    long swi = proc_stat(v.err, "asm SWI forwards"), eret = proc_stat(v.err, "asm exception returns"),
         dacr = proc_stat(v.err, "asm DACR writes"), mcr = proc_stat(v.err, "emulated mcr");
    dacr = dacr < 0 ? 0 : dacr;   /* (a counter's line left out: none) */
    mcr = mcr < 0 ? 0 : mcr;
    printf("syscalls under the VMM: %ld SWIs forwarded, %ld exception returns in assembly; %ld + "
           "%ld DACR writes trapped\n", swi, eret, dacr, mcr);
    /* The DACR writes: the entry one taken early at the SWI, the other a lazy grant, both in
     * the trampoline, without a trap. */
    if (v.status != 0 || swi < 300 || eret < 300 || dacr + mcr > 10) {
        proc_report("VMM syscalls --stats", &v);
        fail_msg("expected at least 300 SWIs and returns on the assembly paths, and at most 10 "
                 "DACR writes trapping");
    }
    proc_result_free(&v);
}

/* A kernel's page copy and clear loops (block loops, cache_batch.h): the same output natively
 * and under the VMM, where the six that qualify run in the VMM in one go each (the others,
 * faulting or aliased, are the guest's to run). */
static void test_block_loops_run_in_the_vmm(void **state)
{
    (void)state;
    assert_same_native_and_vmm("block_loops", 0);
    struct proc_result v = run_guest(guest("block_loops"), 0, "--stats");
    long blocks = proc_stat(v.err, "block loops");
    printf("block_loops under the VMM: %ld block loops run by the VMM\n", blocks);
    if (v.status != 0 || blocks != 6) {
        proc_report("VMM block_loops --stats", &v);
        fail_msg("expected exactly 6 block loops run by the VMM, got %ld", blocks);
    }
    proc_result_free(&v);
}

/* UND (undefined, missing coprocessor, failed condition), SWI immediates, BKPT, LDM^ returns. */
static void test_exceptions_and_returns(void **state)
{
    (void)state;
    assert_same_native_and_vmm("exceptions", 0);
}

/* CP15 IDs, control, TTBR, DACR, FSR/FAR, FCSE/context ID, cache and TLB ops, test-and-clean. */
static void test_cp15(void **state)
{
    (void)state;
    assert_same_native_and_vmm("cp15", 0);
}

/* Sections, coarse small and large pages, remap + TLB flushes, address-space switches, a DACR
 * grant right before an access, system calls with PAN, repeated device loads around every
 * change of their mapping, translation/domain/permission faults with FSR/FAR, alignment
 * faults, prefetch aborts, high vectors. */
static void test_mmu_basic(void **state)
{
    (void)state;
    assert_same_native_and_vmm("mmu_basic", 0);
    /* Its DACR grant right before an access, and the 50 system calls that read User memory
     * before their PAN write (which the SWI path took early), must have been undone at the data
     * abort, in assembly; its first-level pages the same in both address spaces must have been
     * kept without comparing them, switch after switch (L1 memos). */
    struct proc_result v = run_guest(guest("mmu_basic"), 0, "--stats");
    long grants = proc_stat(v.err, "asm DACR grants"), keyed = proc_stat(v.err, "by the key in asm");
    long memo = proc_stat(v.err, "L1 pages kept unread");
    printf("mmu_basic under the VMM: %ld DACR grants at the data abort, %ld device reads by the "
           "key in assembly, %ld L1 pages kept unread\n", grants, keyed, memo);
    if (v.status != 0 || grants < 51 || keyed < 15 || memo < 40) {
        proc_report("VMM mmu_basic --stats", &v);
        fail_msg("expected at least 51 DACR grants taken at the data abort, 15 device reads by "
                 "the quick key, in assembly (its quick-read tests), and 40 L1 pages kept "
                 "without a compare (its L1 memo tests)");
    }
    proc_result_free(&v);
}

/* The shadow tables' keeping and dropping, differentially: three address spaces whose tables a
 * fixed pseudo-random sequence changes, through the identity map and its aliases, while it
 * switches between them and reads through them, every read checked against a walk of the
 * tables in software (mmu_churn.c); a section over a whole megabyte of trampoline room (a
 * table of the VMM's own) remapped and flushed by MVA alone (mmu_region.c). */
static void test_mmu_churn_and_region(void **state)
{
    (void)state;
    assert_same_native_and_vmm("mmu_churn", 0);
    assert_same_native_and_vmm("mmu_region", 0);
}

static char *next_line(char **p)
{
    char *line = *p, *nl = strchr(line, '\n');
    if (!*line)
        return NULL;
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    return line;
}

/* Every AP x domain type x S/R x mode (privileged, User, LDRT/STRT) x access kind, on a page
 * and a section: the VMM must print the native fixture, except exactly the documented rows. */
static void test_mmu_sweep_matches_hardware(void **state)
{
    (void)state;
    size_t nlen, dlen;
    char *native = read_file("tests/fixtures/mmu_sweep.native.txt", &nlen);
    char *devs = read_file("tests/fixtures/mmu_sweep.vmm-deviations.txt", &dlen);
    native = realloc(native, nlen + 1);
    native[nlen] = '\0';
    devs = realloc(devs, dlen + 1);
    devs[dlen] = '\0';
    struct proc_result v = run_guest(guest("mmu_sweep"), 0, NULL);
    char *pn = native, *pv = v.out, *ln, *lv;
    unsigned lines = 0, deviations = 0, listed = 0, bad = 0;

    for (char *d = devs; *d; d = strchr(d, '\n') ? strchr(d, '\n') + 1 : d + strlen(d))
        listed += *d != '#' && *d != '\n';
    while ((ln = next_line(&pn)) != NULL) {
        lv = next_line(&pv);
        lines++;
        if (lv && !strcmp(ln, lv))
            continue;
        if (lv && strstr(devs, lv) && strlen(lv) > 20) {
            deviations++;
            continue;
        }
        bad++;
        printf("sweep line %u differs:\n  native: %s\n  VMM:    %s\n", lines, ln, lv ? lv : "(none)");
    }
    printf("mmu sweep: %u lines compared, %u documented deviations\n", lines, deviations);
    if (bad || deviations != listed || v.status != 0) {
        proc_report("VMM mmu_sweep", &v);
        fail_msg("%u undocumented differences, %u of %u documented deviations seen", bad,
                 deviations, listed);
    }
    free(native);
    free(devs);
    proc_result_free(&v);
}

/* A guest that hands the VMM a bad pointer: QEMU fails the call and the guest goes on; under
 * the VMM its guarded read aborts, is caught, and the same happens. */
static void test_bad_semihosting_block_fails_the_call(void **state)
{
    (void)state;
    assert_same_native_and_vmm("bad_exit_block", 0);
}

static void test_timeout_status(void **state)
{
    (void)state;
    const char *argv[] = { armvmm, "run", "--timeout", "1", guest("spin"), NULL };
    struct proc_result r = proc_run(argv, NULL);
    if (r.status != 124 || strcmp(r.out, "spinning\n")) {
        proc_report("spin --timeout 1", &r);
        fail_msg("expected status 124 after the guest's output");
    }
    proc_result_free(&r);
}

/* The VMM started without `armvmm run`'s boot information must panic cleanly with 126. */
static void test_vmm_panics_cleanly_without_bootinfo(void **state)
{
    (void)state;
    const char *argv[] = { "timeout", "30", "qemu-system-arm", "-M", "integratorcp", "-cpu",
                           "arm926", "-m", "256", "-nodefaults", "-display", "none",
                           "-audiodev", "none,id=a", "-global", "pl041.audiodev=a",
                           "-semihosting-config", "enable=on,target=native", "-kernel", vmm_elf,
                           NULL };
    struct proc_result r = proc_run(argv, NULL);
    if (r.status != EXIT_VMM_PANIC || !strstr(r.err, "PANIC: no valid boot information")) {
        proc_report("bare VMM", &r);
        fail_msg("expected a panic with status 126");
    }
    proc_result_free(&r);
}

/* ---- bad input: one clear message, status 2, QEMU never started ---- */

static char fake_qemu[600], qemu_marker[600];

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    void *data = malloc(*len);
    assert_int_equal(fread(data, 1, *len, f), *len);
    fclose(f);
    return data;
}

static void assert_refused(const char *const argv[], const char *expect_msg)
{
    char env_qemu[700];
    snprintf(env_qemu, sizeof(env_qemu), "ARMVMM_QEMU=%s", fake_qemu);
    const char *env[] = { env_qemu, NULL };
    unlink(qemu_marker);
    struct proc_result r = proc_run(argv, env);
    int started = access(qemu_marker, F_OK) == 0;
    if (r.status != 2 || !strstr(r.err, expect_msg) || started || r.out_len) {
        proc_report("bad input", &r);
        fail_msg("expected status 2, message \"%s\", QEMU not started (started: %d)", expect_msg,
                 started);
    }
    proc_result_free(&r);
}

/* A copy of hello.elf with one byte changed at offset. */
static const char *mutated_guest(const char *name, size_t offset, uint8_t value)
{
    static char path[8][700];
    static unsigned next;
    char *p = path[next++ % 8];
    size_t len;
    uint8_t *data = read_file(guest("hello"), &len);
    assert_true(offset < len);
    data[offset] = value;
    snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
    write_file(p, data, len);
    free(data);
    return p;
}

static void test_bad_input_is_refused(void **state)
{
    (void)state;
    char text[700];
    snprintf(text, sizeof(text), "%s/not-an-elf", tmpdir);
    write_file(text, "hello\n", 6);
    const char *hello = guest("hello");

    assert_refused((const char *[]){ armvmm, "run", "/nonexistent.elf", NULL },
                   "No such file");
    assert_refused((const char *[]){ armvmm, "run", text, NULL }, "not an ELF file");
    assert_refused((const char *[]){ armvmm, "run", "/bin/sh", NULL },
                   "not a 32-bit little-endian ELF");
    /* EI_DATA = big-endian; e_machine = x86 (3); first PT_LOAD's p_paddr moved to 0x7f000000. */
    assert_refused((const char *[]){ armvmm, "run", mutated_guest("be.elf", 5, 2), NULL },
                   "not a 32-bit little-endian ELF");
    assert_refused((const char *[]){ armvmm, "run", mutated_guest("x86.elf", 18, 3), NULL },
                   "not an ARM ELF");
    assert_refused((const char *[]){ armvmm, "run", mutated_guest("far.elf", 52 + 12 + 3, 0x7f),
                                     NULL },
                   "outside the VM's 128 MB of RAM");
    assert_refused((const char *[]){ armvmm, "run", "--mem", "0", hello, NULL }, "--mem wants");
    assert_refused((const char *[]){ armvmm, "run", "--mem", "241", hello, NULL }, "--mem wants");
    assert_refused((const char *[]){ armvmm, "run", "--timeout", "soon", hello, NULL },
                   "--timeout wants");
    assert_refused((const char *[]){ armvmm, "run", "--frobnicate", hello, NULL },
                   "'--frobnicate' is unknown");
    assert_refused((const char *[]){ armvmm, "run", NULL }, "no GUEST given");
    assert_refused((const char *[]){ armvmm, "run", hello, hello, NULL },
                   "more than one GUEST");
    assert_refused((const char *[]){ armvmm, "fly", NULL }, "unknown command 'fly'");
}

/* The Linux guest's test programs (guests/linux/test.sh compares their PASS lines with the
 * expected ones, never boot logs), on the bare board or under the VMM. */
static void linux_programs_pass(const char *variant, const char *where)
{
    char dir[600], log[600], opt[16];
    snprintf(dir, sizeof(dir), "%s/../linux/%s", guests, variant);
    snprintf(log, sizeof(log), "%s/../linux/test-%s-%s.log", guests, where, variant);
    snprintf(opt, sizeof(opt), "--%s", where);
    if (access(dir, F_OK) != 0)
        fail_msg("no Linux build in %s: run `make linux VARIANT=%s` (make test does)", dir,
                 variant);
    const char *argv[] = { "bash", "guests/linux/test.sh", opt, "--log", log, dir, NULL };
    struct proc_result r = proc_run(argv, NULL);
    printf("%s", r.out);
    if (r.status != 0) {
        printf("%s", r.err);
        fail_msg("Linux (%s) test programs failed, %s (status %d)", variant, where, r.status);
    }
    proc_result_free(&r);
}

static void test_linux_native_programs_pass(void **state)
{
    (void)state;
    linux_programs_pass("default", "native");
}

/* The unmodified vmlinux, patched on the fly, in User mode under the VMM. */
static void test_linux_vmm_programs_pass(void **state)
{
    (void)state;
    linux_programs_pass("default", "vmm");
}

/* The second configuration: PAN off, VFP on, PREEMPT, HZ=1000. */
static void test_linux_alt_vmm_programs_pass(void **state)
{
    (void)state;
    linux_programs_pass("alt", "vmm");
}

/* ---- several VMs ---- */

static unsigned count_lines(const char *text, const char *prefix, const char *what)
{
    unsigned n = 0;
    size_t plen = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, prefix, plen) && !strncmp(l + plen, what, strlen(what)))
            n++;
    return n;
}

/* Two Linux VMs side by side, each running the test programs: both pass, lines never mix. */
static void test_two_linux_vms(void **state)
{
    (void)state;
    char dir[600], initrd[700], kernel[700];
    snprintf(dir, sizeof(dir), "%s/../linux/default", guests);
    snprintf(initrd, sizeof(initrd), "%s/initramfs.cpio.gz", dir);
    snprintf(kernel, sizeof(kernel), "%s/vmlinux", dir);
    const char *append = "console=ttyAMA0 armvmm.tests=1";
    const char *argv[] = { armvmm, "run", "--timeout", "300", "--mem", "64", "--initrd", initrd,
                           "--append", append, kernel, "--vm", "--mem", "64", "--initrd",
                           initrd, "--append", append, kernel, NULL };
    struct proc_result r = proc_run(argv, NULL);
    unsigned a = count_lines(r.out, "[vmlinux] ", "PASS: "),
             b = count_lines(r.out, "[vmlinux.1] ", "PASS: ");
    printf("two Linux VMs: %u and %u PASS lines, status %d\n", a, b, r.status);
    if (r.status != 0 || a != 8 || b != 8 || count_lines(r.out, "[vmlinux] ", "FAIL") ||
        count_lines(r.out, "[vmlinux.1] ", "FAIL") ||
        count_lines(r.out, "[vmlinux] ", "ALL TESTS DONE") != 1 ||
        count_lines(r.out, "[vmlinux.1] ", "ALL TESTS DONE") != 1) {
        proc_report("two Linux VMs", &r);
        fail_msg("both VMs must pass all 8 tests and end");
    }
    proc_result_free(&r);
}

/* A VM that spins with interrupts masked and one the VMM stops do not stop the others; the
 * run goes on until every VM has ended (here: the spinner, so the timeout ends it). */
static void test_spinning_and_stopped_vms_do_not_stop_others(void **state)
{
    (void)state;
    const char *argv[] = { armvmm, "run", "--timeout", "20", "--mem", "16", guest("spin_masked"),
                           "--vm", "--mem", "16", guest("jump_vmm"), "--vm", "--mem", "16",
                           guest("hello"), NULL };
    struct proc_result r = proc_run(argv, NULL);
    if (r.status != 124 || !count_lines(r.out, "[hello] ", "bye") ||
        !count_lines(r.out, "[spin_masked] ", "spinning") ||
        !strstr(r.err, "vm1 'jump_vmm' stopped: instruction fetch at 0xfff00000") ||
        !strstr(r.err, "vm2 'hello' ended with status 0")) {
        proc_report("spin + stopped + hello", &r);
        fail_msg("hello must finish next to a spinning VM and a stopped one");
    }
    proc_result_free(&r);
}

/* Each VM fills its RAM with a pattern naming it and reads every page above its RAM: it must
 * never see another VM's pattern (or anything: the board reads zero there). */
static void test_cross_vm_isolation(void **state)
{
    (void)state;
    const char *argv[] = { armvmm, "run", "--timeout", "120", "--mem", "32", guest("probe_ram"),
                           "--vm", "--mem", "48", guest("probe_ram"), NULL };
    struct proc_result r = proc_run(argv, NULL);
    printf("%s", r.out);
    if (r.status != 0 || !strstr(r.out, "[probe_ram] probe: 0 non-zero words above RAM") ||
        !strstr(r.out, "[probe_ram.1] probe: 0 non-zero words above RAM")) {
        proc_report("cross-VM probe", &r);
        fail_msg("a VM saw memory outside its RAM");
    }
    proc_result_free(&r);
}

static int setup_paths(void **state)
{
    (void)state;
    const char *build = getenv("ARMVMM_BUILD");
    char cwd[256];
    if (!build)
        build = "build";
    if (!getcwd(cwd, sizeof(cwd)))
        return -1;
    snprintf(armvmm, sizeof(armvmm), "%s/%s/armvmm", build[0] == '/' ? "" : cwd, build);
    snprintf(guests, sizeof(guests), "%s/guests", build);
    snprintf(vmm_elf, sizeof(vmm_elf), "%s/vmm/armvmm.elf", build);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/armvmm-systest-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(fake_qemu, sizeof(fake_qemu), "%s/fake-qemu", tmpdir);
    snprintf(qemu_marker, sizeof(qemu_marker), "%s/qemu-was-started", tmpdir);
    FILE *f = fopen(fake_qemu, "w");
    fprintf(f, "#!/bin/sh\ntouch '%s'\n", qemu_marker);
    fclose(f);
    chmod(fake_qemu, 0755);
    return 0;
}

static int teardown_paths(void **state)
{
    (void)state;
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_same_natively_and_in_vm),
        cmocka_unit_test(test_exit_status_propagates),
        cmocka_unit_test(test_stats_count_traps),
        cmocka_unit_test(test_stats_break_down),
        cmocka_unit_test(test_probe_window_never_sees_vmm),
        cmocka_unit_test(test_privileged_instruction_traps_and_is_emulated),
        cmocka_unit_test(test_modes_and_banked_registers),
        cmocka_unit_test(test_syscalls_take_the_assembly_paths),
        cmocka_unit_test(test_block_loops_run_in_the_vmm),
        cmocka_unit_test(test_exceptions_and_returns),
        cmocka_unit_test(test_cp15),
        cmocka_unit_test(test_mmu_basic),
        cmocka_unit_test(test_mmu_churn_and_region),
        cmocka_unit_test(test_mmu_sweep_matches_hardware),
        cmocka_unit_test(test_bad_semihosting_block_fails_the_call),
        cmocka_unit_test(test_timeout_status),
        cmocka_unit_test(test_vmm_panics_cleanly_without_bootinfo),
        cmocka_unit_test(test_bad_input_is_refused),
        cmocka_unit_test(test_linux_native_programs_pass),
        cmocka_unit_test(test_linux_vmm_programs_pass),
        cmocka_unit_test(test_linux_alt_vmm_programs_pass),
        cmocka_unit_test(test_two_linux_vms),
        cmocka_unit_test(test_spinning_and_stopped_vms_do_not_stop_others),
        cmocka_unit_test(test_cross_vm_isolation),
    };
    /* One group, one summary: these and the board's (board_tests.c). */
    size_t n = sizeof(tests) / sizeof(tests[0]);
    struct CMUnitTest all[sizeof(tests) / sizeof(tests[0]) + 16];
    assert_true(board_tests_count <= 16);
    memcpy(all, tests, sizeof(tests));
    memcpy(all + n, board_tests, board_tests_count * sizeof(board_tests[0]));
    return _cmocka_run_group_tests("system (QEMU)", all, n + board_tests_count, setup_paths,
                                   teardown_paths);
}
