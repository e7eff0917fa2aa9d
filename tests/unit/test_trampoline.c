/* Tests of the trampoline linker (tools/armvmm/trampoline.c; the scheme is in common/fastpath.h).
 *
 * fastpath_generate() is pure, so the tests feed it hand-made proxy sites and check what comes
 * out three ways:
 *   - capstone disassembles every trampoline: each PC-relative access must land on the right
 *     field of the shared page above its code page, each branch on the right word;
 *   - the layout rules: trampolines only in code (even) pages, never below FASTPATH_CODE_START,
 *     never across a page, everything else of the image zero;
 *   - a tiny interpreter for exactly the instructions the generator emits runs each rewritten
 *     site through its trampoline, so the MRS/MSR semantics are checked, not only encodings.
 *
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <capstone/capstone.h>

#include "capstone_fixture.h"

#include "proxy.h"
#include "trampoline.h"

#define TEXT_VA     0xc0008000u   /* where the sites are (a kernel's text) ... */
#define TEXT_FILE   0x00008000u   /* ... and its file offset */
#define REGION_VA   0xc0400000u
#define REGION_GPA  0x00400000u
#define PAGE        FASTPATH_PAGE_SIZE
#define REACH       (32u << 20)   /* a B reaches [-32 MB, +32 MB) from its pc + 8 */

#define COND_EQ 0x0u
#define COND_NE 0x1u
#define COND_GT 0xcu
#define COND_AL 0xeu
#define REG_SP  13u
#define REG_LR  14u
#define REG_PC  15u

#define MRS_WORDS 6u
#define MSR_WORDS 13u

#define PSR_N     0x80000000u
#define PSR_Z     0x40000000u
#define PSR_C     0x20000000u
#define PSR_V     0x10000000u
#define PSR_Q     0x08000000u
#define PSR_FLAGS 0xf8000000u
#define PSR_USR   0x10u
#define VPSR_F    0x40u   /* shared.pending bits, as vmm/core/vcpu.h */
#define VPSR_I    0x80u


/* ------------------------------------------------------------------ sites and links */

static uint32_t mrs(uint32_t cond, unsigned rd) { return proxy_make_mrs_cpsr(cond, rd); }
static uint32_t msr_c(uint32_t cond, unsigned rm)
{
    return proxy_make_msr_cpsr_reg(cond, PSR_FIELD_C, rm);
}

static bool is_mrs(uint32_t proxy) { return proxy_op(proxy) == PROXY_OP_MRS_CPSR; }
static unsigned words_of(uint32_t proxy) { return is_mrs(proxy) ? MRS_WORDS : MSR_WORDS; }
static unsigned reg_of(uint32_t proxy)
{
    return is_mrs(proxy) ? proxy_mrs_rd(proxy) : proxy_msr_reg_rm(proxy);
}

/* The file offset follows the va, as in an ELF text segment: unique per site. */
static void add_site(struct fastpath_sites *s, uint32_t va, uint32_t word)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->site = realloc(s->site, s->cap * sizeof *s->site);
        assert_non_null(s->site);
    }
    s->site[s->n++] = (struct fastpath_site){ va, TEXT_FILE + (va - TEXT_VA), word, 0, 0,
                                              FASTPATH_DEAD_WINDOW };
}

static void link_ok(const struct fastpath_sites *s, uint32_t size, struct fastpath_link *l)
{
    char err[256] = "";
    if (fastpath_generate(s, REGION_VA, REGION_GPA, size, l, err, sizeof err))
        fail_msg("fastpath_generate: %s", err);
}

/* None of the n words is linked (reads: as for a kernel); they are all counted in left. */
static void want_none_linked(const uint32_t *words, unsigned n, bool reads)
{
    struct fastpath_sites s = { .reads = reads };
    struct fastpath_link l;
    for (unsigned i = 0; i < n; i++)
        add_site(&s, TEXT_VA + 4 * i, words[i]);
    link_ok(&s, fastpath_region_size(&s), &l);
    assert_int_equal(l.nrw, 0);
    assert_int_equal(l.mrs + l.msr + l.reads, 0);
    assert_int_equal(l.left, n);
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

/* A linked site: the site and its rewrite. */
static const struct fastpath_site *site_of(const struct fastpath_sites *s, uint64_t file_offset)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->site[i].file_offset == file_offset)
            return &s->site[i];
    fail_msg("rewrite at file offset 0x%llx: no such site", (unsigned long long)file_offset);
    return NULL;
}

static uint32_t word_at(const struct fastpath_link *l, uint32_t va)
{
    uint32_t w;
    if (va - l->va >= l->size)
        fail_msg("%08x is outside the region %08x+%x", va, l->va, l->size);
    memcpy(&w, l->image + (va - l->va), 4);
    return w;
}

/* Where the B at `at` goes (decoded here, independently of the generator). */
static uint32_t b_target(uint32_t at, uint32_t word)
{
    if ((word & 0x0f000000u) != 0x0a000000u)
        fail_msg("%08x: %08x is not a B", at, word);
    return at + 8 + (uint32_t)((int32_t)(word << 8) >> 6);
}

/* The shared page a trampoline at va addresses: the page after its code page. */
static uint32_t shared_of(uint32_t va)
{
    return (va & ~(PAGE - 1)) + PAGE;
}

/* ------------------------------------------------------------------ capstone checks */

static int reg_num(unsigned csreg)
{
    static const char *const names[16] = { "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7",
                                           "r8", "sb", "sl", "fp", "ip", "sp", "lr", "pc" };
    static const char *const alt[16] = { [9] = "r9", [10] = "r10", [11] = "r11", [12] = "r12",
                                         [13] = "r13", [14] = "r14", [15] = "r15" };
    const char *n = cs_reg_name(cs, csreg);
    for (int i = 0; n && i < 16; i++)
        if (!strcmp(n, names[i]) || (alt[i] && !strcmp(n, alt[i])))
            return i;
    return -1;
}

/* Disassembles the word at va and checks its mnemonic (condition included). */
static cs_insn *dis(const struct fastpath_link *l, uint32_t va, const char *mnemonic)
{
    uint32_t w = word_at(l, va);
    uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };
    cs_insn *ci;
    if (cs_disasm(cs, b, 4, va, 1, &ci) != 1)
        fail_msg("%08x: capstone cannot decode %08x (want %s)", va, w, mnemonic);
    if (strcmp(ci->mnemonic, mnemonic))
        fail_msg("%08x: %s %s, want %s", va, ci->mnemonic, ci->op_str, mnemonic);
    return ci;
}

static void want_reg(const cs_insn *ci, int i, unsigned reg)
{
    const cs_arm *d = &ci->detail->arm;
    if (i >= d->op_count || d->operands[i].type != ARM_OP_REG ||
        reg_num(d->operands[i].reg) != (int)reg)
        fail_msg("%08llx: %s %s: operand %d is not r%u", (unsigned long long)ci->address,
                 ci->mnemonic, ci->op_str, i, reg);
}

/* <mnemonic> Rt, [pc, #+d] whose address is `field`. */
static void want_pcrel(const struct fastpath_link *l, uint32_t va, const char *mnemonic,
                       unsigned rt, uint32_t field)
{
    cs_insn *ci = dis(l, va, mnemonic);
    const cs_arm *d = &ci->detail->arm;
    want_reg(ci, 0, rt);
    if (d->op_count != 2 || d->operands[1].type != ARM_OP_MEM ||
        reg_num(d->operands[1].mem.base) != REG_PC || d->operands[1].mem.index != ARM_REG_INVALID ||
        d->operands[1].subtracted || d->operands[1].mem.disp < 0)
        fail_msg("%08x: %s %s: not [pc, #+imm]", va, ci->mnemonic, ci->op_str);
    if (va + 8 + (uint32_t)d->operands[1].mem.disp != field)
        fail_msg("%08x: %s %s: addresses %08x, want %08x", va, ci->mnemonic, ci->op_str,
                 va + 8 + (uint32_t)d->operands[1].mem.disp, field);
    cs_free(ci, 1);
}

static void want_regs3(const struct fastpath_link *l, uint32_t va, const char *mnemonic,
                       unsigned rd, unsigned rn, unsigned rm)
{
    cs_insn *ci = dis(l, va, mnemonic);
    assert_int_equal(ci->detail->arm.op_count, 3);
    want_reg(ci, 0, rd);
    want_reg(ci, 1, rn);
    want_reg(ci, 2, rm);
    cs_free(ci, 1);
}

/* The last immediate operand; capstone 4 prints a rotated one as "#imm8, #rot". */
static uint32_t imm_of(const cs_insn *ci)
{
    const cs_arm *d = &ci->detail->arm;
    const cs_arm_op *o = &d->operands[d->op_count - 1];
    assert_int_equal(o->type, ARM_OP_IMM);
    if (d->op_count >= 2 && o[-1].type == ARM_OP_IMM) {
        uint32_t v = (uint32_t)o[-1].imm, rot = (uint32_t)o->imm & 31;
        return rot ? v >> rot | v << (32 - rot) : v;
    }
    return (uint32_t)o->imm;
}

/* MRS Rd, CPSR (capstone calls it apsr) */
static void want_mrs(const struct fastpath_link *l, uint32_t va, unsigned rd)
{
    cs_insn *ci = dis(l, va, "mrs");
    want_reg(ci, 0, rd);
    if (strstr(ci->op_str, ", apsr") == NULL && strstr(ci->op_str, ", cpsr") == NULL)
        fail_msg("%08x: mrs %s: not the CPSR", va, ci->op_str);
    cs_free(ci, 1);
}

/* <mnemonic> Rd, Rn, Rm, <shift> #n (Rn absent when rn > 15). */
static void want_shifted(const struct fastpath_link *l, uint32_t va, const char *mnemonic,
                         unsigned rd, unsigned rn, unsigned rm, arm_shifter shift, unsigned n)
{
    cs_insn *ci = dis(l, va, mnemonic);
    const cs_arm *d = &ci->detail->arm;
    int i = 0;
    want_reg(ci, i++, rd);
    if (rn < 16)
        want_reg(ci, i++, rn);
    want_reg(ci, i, rm);
    if (d->op_count != i + 1 || d->operands[i].shift.type != shift ||
        d->operands[i].shift.value != n)
        fail_msg("%08x: %s %s: want shift %d #%u", va, ci->mnemonic, ci->op_str, shift, n);
    cs_free(ci, 1);
}

static void want_b(const struct fastpath_link *l, uint32_t va, const char *mnemonic, uint32_t to)
{
    cs_insn *ci = dis(l, va, mnemonic);
    assert_int_equal(ci->detail->arm.op_count, 1);
    if ((uint32_t)ci->detail->arm.operands[0].imm != to)
        fail_msg("%08x: %s %s, want a branch to %08x", va, ci->mnemonic, ci->op_str, to);
    assert_int_equal(b_target(va, word_at(l, va)), to);   /* our own decoding agrees */
    cs_free(ci, 1);
}

/* The flag-free test of an MSR's scratch: CLZ, ADD pc, pc, scratch, LSR #3, a filler never
 * executed, B slow; the fast path follows. */
static void want_test(const struct fastpath_link *l, uint32_t va, unsigned scr, uint32_t slow)
{
    cs_insn *ci = dis(l, va, "clz");
    want_reg(ci, 0, scr);
    want_reg(ci, 1, scr);
    cs_free(ci, 1);
    want_shifted(l, va + 4, "add", REG_PC, REG_PC, scr, ARM_SFT_LSR, 3);
    want_b(l, va + 12, "b", slow);
}

/* Rd := shared.cpsr | the real CPSR, with the scratch register spilled. */
static void check_mrs_tramp(const struct fastpath_link *l, uint32_t t, unsigned rd, unsigned scr,
                            uint32_t back)
{
    uint32_t sh = shared_of(t);
    want_pcrel(l, t + 0, "str", scr, sh + VSHARED_SCRATCH);
    want_mrs(l, t + 4, scr);
    want_pcrel(l, t + 8, "ldr", rd, sh + VSHARED_CPSR);
    want_regs3(l, t + 12, "orr", rd, rd, scr);
    want_pcrel(l, t + 16, "ldr", scr, sh + VSHARED_SCRATCH);
    want_b(l, t + 20, "b", back);
}

/* The check word against Rm << 26, the flag-free test; the fast path commits Rm[7:0]; both
 * give back the scratch register, the slow one before it executes the proxy (AL), so that the
 * proxy traps with the guest's own registers and flags. */
static void check_msr_tramp(const struct fastpath_link *l, uint32_t t, unsigned rm, unsigned scr,
                            uint32_t proxy, uint32_t back)
{
    uint32_t sh = shared_of(t), slow = t + 40;
    want_pcrel(l, t + 0, "str", scr, sh + VSHARED_SCRATCH);
    want_pcrel(l, t + 4, "ldr", scr, sh + VSHARED_MSR_CHECK);
    want_shifted(l, t + 8, "eor", scr, scr, rm, ARM_SFT_LSL, 26);
    want_test(l, t + 12, scr, slow);
    want_pcrel(l, t + 28, "strb", rm, sh + VSHARED_CPSR);
    want_pcrel(l, t + 32, "ldr", scr, sh + VSHARED_SCRATCH);
    want_b(l, t + 36, "b", back);
    want_pcrel(l, slow, "ldr", scr, sh + VSHARED_SCRATCH);
    assert_int_equal(word_at(l, slow + 4), (proxy & 0x0fffffffu) | COND_AL << 28);
    want_b(l, slow + 8, "b", back);
}

/* Checks the trampoline of a linked site; returns its address. */
static uint32_t check_tramp(const struct fastpath_link *l, const struct fastpath_site *site,
                            uint32_t rewrite)
{
    uint32_t t = b_target(site->va, rewrite);
    unsigned reg = reg_of(site->word), scr = reg == 0 ? 1 : 0;   /* r0, or r1 when r0 is used */
    if (is_mrs(site->word))
        check_mrs_tramp(l, t, reg, scr, site->va + 4);
    else
        check_msr_tramp(l, t, reg, scr, site->word, site->va + 4);
    return t;
}

/* ------------------------------------------------------------------ encodings, rewrites */

#define C0 FASTPATH_CODE_START   /* where code starts in a page */

static const struct {
    uint32_t proxy;
    uint32_t offset;      /* of its trampoline in the region: packed from FASTPATH_CODE_START */
    unsigned scratch;
    const char *branch;   /* the site's rewrite, as capstone prints it */
} mixed[] = {
    { 0xe7003010u /* mrs(AL, 3) */, C0, 0, "b" },
    { 0xe7000010u /* mrs(AL, 0) */, C0 + 24, 1, "b" },
    { 0xe7110012u /* msr_c(AL, 2) */, C0 + 48, 0, "b" },
    { 0xe711001eu /* msr_c(AL, lr) */, C0 + 48 + 52, 0, "b" },
    { 0x17005010u /* mrs(NE, 5) */, C0 + 48 + 104, 0, "bne" },
    { 0x17110010u /* msr_c(NE, 0) */, C0 + 48 + 104 + 24, 1, "bne" },
    { 0xc711001du /* msr_c(GT, sp) */, C0 + 48 + 104 + 24 + 52, 0, "bgt" },
};
#define N_MIXED (sizeof mixed / sizeof mixed[0])

static void mixed_sites(struct fastpath_sites *s)
{
    *s = (struct fastpath_sites){ 0 };
    for (unsigned i = 0; i < N_MIXED; i++)
        add_site(s, TEXT_VA + 0x40 * i, mixed[i].proxy);
}

static void test_proxy_constants(void **state)
{
    (void)state;   /* the table above spells the proxies out: they must be what we mean */
    assert_int_equal(mixed[0].proxy, mrs(COND_AL, 3));
    assert_int_equal(mixed[1].proxy, mrs(COND_AL, 0));
    assert_int_equal(mixed[2].proxy, msr_c(COND_AL, 2));
    assert_int_equal(mixed[3].proxy, msr_c(COND_AL, REG_LR));
    assert_int_equal(mixed[4].proxy, mrs(COND_NE, 5));
    assert_int_equal(mixed[5].proxy, msr_c(COND_NE, 0));
    assert_int_equal(mixed[6].proxy, msr_c(COND_GT, REG_SP));
}

static void test_encodings(void **state)
{
    (void)state;
    struct fastpath_sites s;
    struct fastpath_link l;
    mixed_sites(&s);
    link_ok(&s, 2 * PAGE, &l);
    assert_int_equal(l.nrw, N_MIXED);
    assert_int_equal(l.mrs, 3);
    assert_int_equal(l.msr, 4);
    assert_int_equal(l.left, 0);
    for (unsigned i = 0; i < N_MIXED; i++) {
        uint32_t t = REGION_VA + mixed[i].offset, reg = reg_of(mixed[i].proxy);
        uint32_t back = s.site[i].va + 4;
        if (is_mrs(mixed[i].proxy))
            check_mrs_tramp(&l, t, reg, mixed[i].scratch, back);
        else
            check_msr_tramp(&l, t, reg, mixed[i].scratch, mixed[i].proxy, back);
    }
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

/* Each site becomes B<its proxy's cond> to its trampoline's first word. */
static void test_rewrites(void **state)
{
    (void)state;
    struct fastpath_sites s;
    struct fastpath_link l;
    mixed_sites(&s);
    link_ok(&s, 2 * PAGE, &l);
    assert_int_equal(l.nrw, N_MIXED);
    for (unsigned i = 0; i < N_MIXED; i++) {
        const struct fastpath_site *site = &s.site[i];
        uint32_t w = l.rw[i].word;
        uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };
        cs_insn *ci;
        assert_int_equal(l.rw[i].file_offset, site->file_offset);   /* in site order */
        assert_int_equal(w >> 28, proxy_cond(site->word));
        assert_int_equal(b_target(site->va, w), REGION_VA + mixed[i].offset);
        assert_int_equal(cs_disasm(cs, b, 4, site->va, 1, &ci), 1);
        assert_string_equal(ci->mnemonic, mixed[i].branch);
        assert_int_equal((uint32_t)ci->detail->arm.operands[0].imm, REGION_VA + mixed[i].offset);
        cs_free(ci, 1);
    }
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

/* ------------------------------------------------------------------ layout */

/* 2000 sites, MRS and MSR interleaved irregularly, every register but pc. */
static void many_sites(struct fastpath_sites *s, unsigned n)
{
    *s = (struct fastpath_sites){ 0 };
    for (unsigned i = 0; i < n; i++) {
        uint32_t cond = i % 7 == 3 ? COND_NE : COND_AL;
        unsigned reg = i * 7 % 15;
        add_site(s, TEXT_VA + 8 * i, (i * 5 % 11) < 6 ? mrs(cond, reg) : msr_c(cond, reg));
    }
}

/* The bytes a region needs, packing trampolines first-fit into code pages from offset 16. */
static uint32_t model_size(const struct fastpath_sites *s)
{
    uint32_t pages = 1, used = FASTPATH_CODE_START;
    for (size_t i = 0; i < s->n; i++) {
        if (used + 4 * words_of(s->site[i].word) > PAGE) {
            pages++;
            used = FASTPATH_CODE_START;
        }
        used += 4 * words_of(s->site[i].word);
    }
    return pages * 2 * PAGE;
}

static void test_layout(void **state)
{
    (void)state;
    struct fastpath_sites s;
    struct fastpath_link l;
    many_sites(&s, 2000);
    uint32_t size = fastpath_region_size(&s);
    assert_int_equal(size % (2 * PAGE), 0);
    assert_int_equal(size, model_size(&s));
    link_ok(&s, size, &l);
    assert_int_equal(l.nrw, 2000);
    assert_int_equal(l.mrs + l.msr, 2000);
    assert_int_equal(l.left, 0);

    uint8_t *owned = calloc(1, size);   /* bytes some trampoline occupies */
    assert_non_null(owned);
    unsigned long nmrs = 0;
    for (size_t i = 0; i < l.nrw; i++) {
        const struct fastpath_site *site = site_of(&s, l.rw[i].file_offset);
        assert_ptr_equal(site, &s.site[i]);
        uint32_t off = check_tramp(&l, site, l.rw[i].word) - REGION_VA;
        uint32_t len = 4 * words_of(site->word);
        nmrs += is_mrs(site->word);
        if (FASTPATH_IS_SHARED_PAGE(off / PAGE) || off % PAGE < FASTPATH_CODE_START ||
            off % PAGE + len > PAGE)
            fail_msg("site %zu: trampoline at +0x%x (%u bytes)", i, off, len);
        for (uint32_t k = off; k < off + len; k++) {
            if (owned[k])
                fail_msg("site %zu: trampoline at +0x%x overlaps another", i, off);
            owned[k] = 1;
        }
    }
    assert_int_equal(l.mrs, nmrs);
    for (uint32_t k = 0; k < size; k++)   /* shared pages, page heads, the rest: zero */
        if (!owned[k] && l.image[k])
            fail_msg("image byte +0x%x = %02x outside every trampoline", k, l.image[k]);
    free(owned);
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

/* 72 MSR + 12 MRS trampolines fill a code page exactly (64 + 4032 = 4096): the next goes to
 * the next code page, two pages on. */
static void test_page_fill(void **state)
{
    (void)state;
    struct fastpath_sites s = { 0 };
    struct fastpath_link l;
    for (unsigned i = 0; i < 84; i++)   /* 72 * 52 + 12 * 24 = 4032 */
        add_site(&s, TEXT_VA + 4 * i, i < 72 ? msr_c(COND_AL, 1) : mrs(COND_AL, 2));
    assert_int_equal(fastpath_region_size(&s), 2 * PAGE);
    add_site(&s, TEXT_VA + 4 * 84, mrs(COND_AL, 2));
    assert_int_equal(fastpath_region_size(&s), 4 * PAGE);
    link_ok(&s, 4 * PAGE, &l);
    assert_int_equal(b_target(s.site[83].va, l.rw[83].word), REGION_VA + PAGE - 4 * MRS_WORDS);
    assert_int_equal(b_target(s.site[84].va, l.rw[84].word),
                     REGION_VA + 2 * PAGE + FASTPATH_CODE_START);
    check_tramp(&l, &s.site[83], l.rw[83].word);
    check_tramp(&l, &s.site[84], l.rw[84].word);
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

static void test_empty(void **state)
{
    (void)state;
    struct fastpath_sites s = { 0 };
    struct fastpath_link l;
    assert_int_equal(fastpath_region_size(&s), 2 * PAGE);
    link_ok(&s, 2 * PAGE, &l);
    assert_int_equal(l.nrw, 0);
    assert_int_equal(l.mrs + l.msr + l.left, 0);
    for (uint32_t k = 0; k < 2 * PAGE; k++)
        assert_int_equal(l.image[k], 0);
    fastpath_link_free(&l);
}

static void want_error(const struct fastpath_sites *s, uint32_t va, uint32_t gpa, uint32_t size,
                       const char *what)
{
    struct fastpath_link l;
    char err[256] = "";
    if (fastpath_generate(s, va, gpa, size, &l, err, sizeof err) != -1)
        fail_msg("region %08x (gpa %08x) +0x%x accepted", va, gpa, size);
    if (!strstr(err, what))
        fail_msg("region %08x (gpa %08x) +0x%x: \"%s\", want \"%s\"", va, gpa, size, err, what);
    assert_null(l.image);
    assert_int_equal(l.nrw, 0);
}

static void test_region_checks(void **state)
{
    (void)state;
    struct fastpath_sites s;
    struct fastpath_link l;
    many_sites(&s, 2000);
    uint32_t size = fastpath_region_size(&s);
    assert_true(size > 2 * PAGE);
    want_error(&s, REGION_VA, REGION_GPA, size - 2 * PAGE, "too small");
    want_error(&s, REGION_VA + 4, REGION_GPA, size, "not an even number of pages");
    want_error(&s, REGION_VA, REGION_GPA + 0x800, size, "not an even number of pages");
    want_error(&s, REGION_VA, REGION_GPA, size + PAGE, "not an even number of pages");
    want_error(&s, REGION_VA, REGION_GPA, size - 4, "not an even number of pages");
    want_error(&s, REGION_VA, REGION_GPA, 0, "not an even number of pages");
    link_ok(&s, size + 2 * PAGE, &l);   /* bigger than needed is fine */
    assert_int_equal(l.nrw, 2000);
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

/* ------------------------------------------------------------------ reach, skip */

/* Links one site alone (its trampoline at REGION_VA + FASTPATH_CODE_START): true when it got linked. */
static bool link_one(uint32_t va, uint32_t proxy, struct fastpath_link *l)
{
    struct fastpath_sites s = { 0 };
    add_site(&s, va, proxy);
    link_ok(&s, 2 * PAGE, l);
    bool linked = l->nrw == 1;
    assert_int_equal(l->nrw + l->left, 1);
    assert_int_equal(l->mrs + l->msr, l->nrw);
    if (linked)
        check_tramp(l, &s.site[0], l->rw[0].word);
    fastpath_sites_free(&s);
    return linked;
}

static void want_linked(uint32_t va, uint32_t proxy, bool want)
{
    struct fastpath_link l;
    if (link_one(va, proxy, &l) != want)
        fail_msg("site %08x (%08x): %s, want %s", va, proxy, want ? "left" : "linked",
                 want ? "linked" : "left");
    fastpath_link_free(&l);
}

static void test_reach(void **state)
{
    (void)state;
    uint32_t t = REGION_VA + FASTPATH_CODE_START;   /* the trampoline */
    for (int k = 0; k < 2; k++) {
        uint32_t p = k ? msr_c(COND_AL, 4) : mrs(COND_AL, 4);
        want_linked(t + REACH - 8, p, true);            /* site -> tramp: offset -32 MB */
        want_linked(t + REACH - 4, p, false);
        want_linked(REGION_VA + 2 * REACH, p, false);   /* far away, both sides */
        want_linked(REGION_VA - 2 * REACH, p, false);
        /* below: the B back (the last word, to site + 4) needs the reach */
        want_linked(t - REACH + 4 * words_of(p), p, true);
        want_linked(t - REACH + 4 * words_of(p) - 4, p, false);
    }
}

/* The B back is the trampoline's last word and goes to site + 4: its reach is checked from
 * there, not from the trampoline's first word (a site 32 MB minus a few words below its
 * trampoline once got a B back whose offset overflowed).  Every site is either left or linked
 * with a correct B back. */
static void test_reach_back_branch(void **state)
{
    (void)state;
    uint32_t t = REGION_VA + FASTPATH_CODE_START;
    for (int k = 0; k < 2; k++)
        for (uint32_t va = t - REACH - 64; va != t - REACH + 72; va += 4) {
            struct fastpath_link l;
            link_one(va, k ? msr_c(COND_AL, 4) : mrs(COND_AL, 4), &l);   /* checks the B back */
            fastpath_link_free(&l);
        }
}

static void test_skip(void **state)
{
    (void)state;
    struct fastpath_sites s = { .skip_start = TEXT_VA + 0x100, .skip_end = TEXT_VA + 0x200 };
    struct fastpath_link l;
    add_site(&s, TEXT_VA + 0x0fc, mrs(COND_AL, 1));     /* linked */
    add_site(&s, TEXT_VA + 0x100, mrs(COND_AL, 2));     /* skipped */
    add_site(&s, TEXT_VA + 0x1fc, msr_c(COND_AL, 3));   /* skipped */
    add_site(&s, TEXT_VA + 0x200, msr_c(COND_AL, 4));   /* linked */
    link_ok(&s, fastpath_region_size(&s), &l);
    assert_int_equal(l.left, 2);
    assert_int_equal(l.mrs, 1);
    assert_int_equal(l.msr, 1);
    assert_int_equal(l.nrw, 2);
    assert_int_equal(l.rw[0].file_offset, s.site[0].file_offset);
    assert_int_equal(l.rw[1].file_offset, s.site[3].file_offset);
    check_tramp(&l, &s.site[0], l.rw[0].word);
    check_tramp(&l, &s.site[3], l.rw[1].word);
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

/* fastpath_generate() links only the forms it has trampolines for (MRS Rd, MSR CPSR_c, Rm;
 * never pc) and counts the others in left, whatever list it is given. */
static void test_unlinkable_sites(void **state)
{
    (void)state;
    struct fastpath_sites s = { 0 };
    struct fastpath_link l;
    add_site(&s, TEXT_VA, proxy_make_msr_cpsr_reg(COND_AL, PSR_FIELD_C | PSR_FIELD_F, 1));
    add_site(&s, TEXT_VA + 4, proxy_make_msr_cpsr_imm(COND_AL, PSR_FIELD_C | PSR_FIELD_X, 0x93));
    add_site(&s, TEXT_VA + 8, mrs(COND_AL, REG_PC));
    add_site(&s, TEXT_VA + 12, msr_c(COND_AL, REG_PC));
    link_ok(&s, fastpath_region_size(&s), &l);
    assert_int_equal(l.nrw, 0);
    assert_int_equal(l.mrs + l.msr, 0);
    assert_int_equal(l.left, 4);
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

/* ------------------------------------------------------------------ fastpath_apply */

#define GUARD 16

/* Applies l to the file window [off, off + len) of a 0xaa-filled copy; checks the guards. */
static uint8_t *apply(const struct fastpath_link *l, uint64_t off, size_t len)
{
    uint8_t *buf = malloc(len + 2 * GUARD);
    assert_non_null(buf);
    memset(buf, 0xaa, len + 2 * GUARD);
    fastpath_apply(l, off, buf + GUARD, len);
    for (size_t k = 0; k < GUARD; k++)
        if (buf[k] != 0xaa || buf[GUARD + len + k] != 0xaa)
            fail_msg("window 0x%llx+%zu: written outside", (unsigned long long)off, len);
    return buf;
}

/* The window [off, off + len) holds exactly the rewrites whose mask bit is set. */
static void want_applied(const struct fastpath_link *l, uint64_t off, size_t len, unsigned mask)
{
    uint8_t *buf = apply(l, off, len);
    uint8_t *want = malloc(len ? len : 1);
    assert_non_null(want);
    memset(want, 0xaa, len);
    for (size_t i = 0; i < l->nrw; i++)
        if (mask & 1u << i)
            for (unsigned k = 0; k < 4; k++)   /* little-endian, like the guest */
                want[l->rw[i].file_offset - off + k] = (uint8_t)(l->rw[i].word >> 8 * k);
    for (size_t k = 0; k < len; k++)
        if (buf[GUARD + k] != want[k])
            fail_msg("window 0x%llx+%zu: byte 0x%llx is %02x, want %02x",
                     (unsigned long long)off, len, (unsigned long long)(off + k), buf[GUARD + k],
                     want[k]);
    free(want);
    free(buf);
}

static void test_apply(void **state)
{
    (void)state;
    struct fastpath_sites s = { 0 };
    struct fastpath_link l;
    add_site(&s, TEXT_VA + 0x100, mrs(COND_AL, 1));   /* file 0x8100 */
    add_site(&s, TEXT_VA + 0x104, msr_c(COND_NE, 2)); /* file 0x8104 */
    add_site(&s, TEXT_VA + 0x200, mrs(COND_EQ, 3));   /* file 0x8200 */
    link_ok(&s, 2 * PAGE, &l);
    assert_int_equal(l.nrw, 3);
    assert_int_equal(l.rw[0].file_offset, 0x8100);
    assert_int_equal(l.rw[2].file_offset, 0x8200);
    assert_int_equal(l.rw[1].word >> 28, COND_NE);

    want_applied(&l, 0x8100, 0x104, 7);   /* all of them */
    want_applied(&l, 0x80f0, 0x200, 7);
    want_applied(&l, 0x8102, 0x100, 2);   /* cuts the first and the last */
    want_applied(&l, 0x8101, 0x102, 2);
    want_applied(&l, 0x8100, 0x103, 3);   /* ends one byte short of the last */
    want_applied(&l, 0x8104, 4, 2);       /* exactly one */
    want_applied(&l, 0x8105, 4, 0);
    want_applied(&l, 0x8104, 3, 0);
    want_applied(&l, 0x8104, 0, 0);
    want_applied(&l, 0x8204, 0x100, 0);   /* after them all */
    want_applied(&l, 0x0, 0x8100, 0);     /* before them all */
    want_applied(&l, 0x81fe, 6, 4);
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

/* ------------------------------------------------------------------ execution */

/* Runs a rewritten site and its trampoline: the instruction forms the generator emits, in
 * User mode (the guest kernel's real mode), with the shared page aliased at every odd page. */
struct machine {
    const struct fastpath_link *l;
    uint32_t site_va, site_word;   /* execution starts here ... */
    uint32_t end;                  /* ... and ends here (the next word, unless told) */
    uint32_t r[16];
    uint32_t cpsr;                 /* the real one: User mode and the flags */
    uint32_t shared[VSHARED_SIZE / 4];
    unsigned traps;                /* proxies executed, i.e. emulated by the VMM */
    uint32_t mem[64];              /* guest memory at MEM_VA (a kernel stack) */
};

#define MEM_VA 0xc7ff0000u

static uint32_t *mem_at(struct machine *m, uint32_t at, uint32_t a)
{
    if (a - MEM_VA >= sizeof m->mem || (a & 3))
        fail_msg("%08x: access to %08x: not the test's memory", at, a);
    return &m->mem[(a - MEM_VA) / 4];
}

static uint32_t fetch(const struct machine *m, uint32_t va)
{
    uint32_t off = va - m->l->va;
    if (va == m->site_va)
        return m->site_word;
    if (off >= m->l->size || FASTPATH_IS_SHARED_PAGE(off / PAGE))
        fail_msg("fetch from %08x: not trampoline code", va);
    return word_at(m->l, va);
}

/* Trampolines load and store only fields of the shared page. */
static uint32_t *field_at(struct machine *m, uint32_t va)
{
    uint32_t off = va - m->l->va;
    if (off >= m->l->size || !FASTPATH_IS_SHARED_PAGE(off / PAGE) || off % PAGE >= VSHARED_SIZE)
        fail_msg("access to %08x: not a shared-page field", va);
    return &m->shared[off % PAGE / 4];
}

static void set_reg(struct machine *m, unsigned rd, uint32_t v)
{
    if (rd == REG_PC)
        fail_msg("write to pc");
    m->r[rd] = v;
}

static bool cond_passes(uint32_t cpsr, uint32_t cond)
{
    bool n = cpsr & PSR_N, z = cpsr & PSR_Z, c = cpsr & PSR_C, v = cpsr & PSR_V;
    switch (cond) {
    case 0x0: return z;
    case 0x1: return !z;
    case 0x2: return c;
    case 0x3: return !c;
    case 0x4: return n;
    case 0x5: return !n;
    case 0x6: return v;
    case 0x7: return !v;
    case 0x8: return c && !z;
    case 0x9: return !c || z;
    case 0xa: return n == v;
    case 0xb: return n != v;
    case 0xc: return !z && n == v;
    case 0xd: return z || n != v;
    case 0xe: return true;
    default: fail_msg("condition 1111"); return false;
    }
}

static uint32_t rotated(uint32_t imm12)
{
    unsigned rot = (imm12 >> 8) * 2;
    return rot ? (imm12 & 0xff) >> rot | (imm12 & 0xff) << (32 - rot) : (imm12 & 0xff);
}

/* The trap the slow path takes: the VMM emulates the original MSR CPSR_c, Rm or #imm. */
static void vmm_trap(struct machine *m, uint32_t at, uint32_t w)
{
    bool reg = proxy_op(w) == PROXY_OP_MSR_CPSR_REG, imm = proxy_op(w) == PROXY_OP_MSR_CPSR_IMM;
    if (!proxy_valid(w) || proxy_cond(w) != COND_AL || !(reg || imm) ||
        (reg ? proxy_msr_reg_mask(w) : proxy_msr_imm_mask(w)) != PSR_FIELD_C)
        fail_msg("%08x: unexpected proxy %08x", at, w);
    uint32_t value = reg ? m->r[proxy_msr_reg_rm(w)] : rotated(proxy_msr_imm_imm12(w));
    m->shared[VSHARED_CPSR / 4] = (m->shared[VSHARED_CPSR / 4] & ~0xffu) | (value & 0xffu);
    m->traps++;
}

static void ldst_pc(struct machine *m, uint32_t at, uint32_t w)
{
    uint32_t imm = w & 0xfff, a = at + 8 + (w & 1u << 23 ? imm : -imm);
    uint32_t *f = field_at(m, a & ~3u), sh = (a & 3) * 8;   /* little-endian bytes */
    unsigned rt = w >> 12 & 15;
    bool byte = w & 1u << 22, load = w & 1u << 20;
    if (load && !byte && !(a & 3))
        set_reg(m, rt, *f);
    else if (!load && !byte && !(a & 3))
        *f = m->r[rt];
    else if (!load && byte)
        *f = (*f & ~(0xffu << sh)) | (m->r[rt] & 0xffu) << sh;
    else
        fail_msg("%08x: unexpected load/store %08x", at, w);
}

/* AND, EOR, ORR, BIC, MOV, ADD, SUB (S or not), TST: a rotated immediate, or a register shifted
 * left or right by an immediate (carry out: none of the tests' shifts sets flags). */
static void data_proc(struct machine *m, uint32_t at, uint32_t w)
{
    unsigned op = w >> 21 & 15, rn = w >> 16 & 15, rd = w >> 12 & 15;
    bool s = w & 1u << 20;
    uint32_t op2 = 0, res = 0, carry = m->cpsr & PSR_C;
    unsigned n = w >> 7 & 31;
    if (w & 1u << 25) {
        op2 = rotated(w & 0xfff);
        if (w & 0xf00)
            carry = op2 & 0x80000000u ? PSR_C : 0;
    } else if ((w & 0x70u) == 0x00u && (w & 15) != REG_PC) {    /* Rm, LSL #n */
        op2 = m->r[w & 15] << n;
    } else if ((w & 0x70u) == 0x20u && n && (w & 15) != REG_PC) {   /* Rm, LSR #n */
        op2 = m->r[w & 15] >> n;
    } else {
        fail_msg("%08x: unexpected operand in %08x", at, w);
    }
    if (rn == REG_PC)
        fail_msg("%08x: pc operand in %08x", at, w);
    switch (op) {
    case 0x0: case 0x8: res = m->r[rn] & op2; break;   /* AND, TST */
    case 0x1: res = m->r[rn] ^ op2; break;             /* EOR */
    case 0xc: res = m->r[rn] | op2; break;             /* ORR */
    case 0xe: res = m->r[rn] & ~op2; break;            /* BIC */
    case 0xd: res = op2; break;                        /* MOV */
    case 0x2: res = m->r[rn] - op2; break;             /* SUB */
    case 0x4: res = m->r[rn] + op2; break;             /* ADD */
    default: fail_msg("%08x: unexpected instruction %08x", at, w); return;
    }
    if (op == 0x8 && !s)
        fail_msg("%08x: unexpected instruction %08x", at, w);
    if (s && (w & 0xff0u) && !(w & 1u << 25))
        fail_msg("%08x: flags from a shifter %08x", at, w);
    if (s)
        m->cpsr = (m->cpsr & ~(PSR_N | PSR_Z | PSR_C)) | (res & PSR_N) | (res ? 0 : PSR_Z) | carry;
    if (op != 0x8)
        set_reg(m, rd, res);
}

static uint32_t step(struct machine *m, uint32_t at)
{
    uint32_t w = fetch(m, at);
    if (proxy_in_space(w)) {
        vmm_trap(m, at, w);
        return at + 4;
    }
    if ((w & 0xfff0fffu) == 0xe030f10u) {   /* MCR p15, 0, Rd, c3, c0, 0: traps, the VMM writes */
        m->shared[VSHARED_DACR / 4] = m->r[w >> 12 & 15];
        m->traps++;
        return at + 4;
    }
    if (!cond_passes(m->cpsr, w >> 28))
        return at + 4;
    if ((w & 0x0f000000u) == 0x0a000000u)                  /* B */
        return b_target(at, w);
    if ((w & 0x0ffffff0u) == 0x008ff100u)                  /* ADD pc, pc, Rm, LSL #2 */
        return at + 8 + (m->r[w & 15] << 2);
    if ((w & 0x0ffffff0u) == 0x008ff1a0u) {                /* ADD pc, pc, Rm, LSR #3 */
        if ((m->r[w & 15] >> 3) & 3)
            fail_msg("%08x: ADD pc to an unaligned address (Rm %08x)", at, m->r[w & 15]);
        return at + 8 + (m->r[w & 15] >> 3);
    }
    if ((w & 0x0fff0ff0u) == 0x016f0f10u) {                /* CLZ Rd, Rm */
        uint32_t v = m->r[w & 15];
        set_reg(m, w >> 12 & 15, v ? (uint32_t)__builtin_clz(v) : 32);
        return at + 4;
    }
    if ((w & 0x0fff0fffu) == 0x010f0000u)                  /* MRS Rd, CPSR */
        set_reg(m, w >> 12 & 15, m->cpsr);
    else if ((w & 0x0ffffff0u) == 0x0128f000u)             /* MSR CPSR_f, Rm: NZCVQ */
        m->cpsr = (m->cpsr & ~PSR_FLAGS) | (m->r[w & 15] & PSR_FLAGS);
    else if ((w & 0x0f2f0000u) == 0x050f0000u)             /* LDR/STR(B) Rt, [pc, #+-imm] */
        ldst_pc(m, at, w);
    else if ((w & 0x0f600000u) == 0x05000000u) {           /* LDR/STR Rt, [Rn, #+-imm] */
        uint32_t a = m->r[w >> 16 & 15] + (w & 1u << 23 ? (w & 0xfff) : -(w & 0xfff));
        if (w & 1u << 20)
            set_reg(m, w >> 12 & 15, *mem_at(m, at, a));
        else
            *mem_at(m, at, a) = m->r[w >> 12 & 15];
    } else if ((w & 0x0ff08000u) == 0x08900000u) {         /* LDMIA Rn, {list without pc} */
        uint32_t a = m->r[w >> 16 & 15], loaded[16];
        for (unsigned r = 0; r < 16; r++)
            if (w & 1u << r) {
                loaded[r] = *mem_at(m, at, a);
                a += 4;
            }
        for (unsigned r = 0; r < 16; r++)
            if (w & 1u << r)
                set_reg(m, r, loaded[r]);
    }
    else if ((w & 0x0c000000u) == 0)
        data_proc(m, at, w);
    else
        fail_msg("%08x: unexpected instruction %08x", at, w);
    return at + 4;
}

static void run(struct machine *m)
{
    uint32_t pc = m->site_va;
    for (unsigned n = 0; pc != m->end; n++) {
        if (n == 64)
            fail_msg("site %08x: no return after 64 instructions", m->site_va);
        pc = step(m, pc);
    }
}

/* A machine about to execute a site rewritten to `rewrite`; distinct values in every
 * register, the flags given. */
static void machine_at(struct machine *m, const struct fastpath_link *l,
                       const struct fastpath_site *site, uint32_t rewrite, uint32_t flags)
{
    *m = (struct machine){ .l = l, .site_va = site->va, .site_word = rewrite,
                           .end = site->va + 4, .cpsr = flags | PSR_USR };
    for (unsigned r = 0; r < 16; r++)
        m->r[r] = 0x5a5a0000u + 0x111u * r;
    m->shared[VSHARED_SCRATCH / 4] = 0xdead0008u;
}

/* The dead registers a site's trampoline may take, by the rule of PATCHER.md: not its own
 * (reg), and for an MSR on the CPSR none of r8-r12 (others in FIQ mode), but in a kernel
 * (kernel) an MSR #imm to a mode other than FIQ. */
static uint32_t usable_dead(const struct fastpath_site *site, unsigned reg, bool kernel)
{
    uint32_t w = site->word, d = site->dead & ~(reg < 16 ? 1u << reg : 0);
    bool msr = proxy_in_space(w) && proxy_op(w) != PROXY_OP_MRS_CPSR;
    bool imm = msr && proxy_op(w) == PROXY_OP_MSR_CPSR_IMM;
    if (msr && (!imm || !kernel || (rotated(proxy_msr_imm_imm12(w)) & 0x1f) == 0x11))
        d &= ~0x1f00u;
    return d;
}

/* Only register `reg` (when < 16) and the site's dead ones may have changed; a trampoline that
 * takes a dead one for its scratch (usable_dead(), kernel) leaves the shared page's scratch
 * word alone, and one that cannot saves its scratch there. */
static void want_regs_kept(const struct machine *m, const struct fastpath_site *site,
                           unsigned reg, bool kernel)
{
    uint32_t may = (reg < 16 ? 1u << reg : 0) | site->dead;
    for (unsigned r = 0; r < 15; r++)
        if (!(may >> r & 1) && m->r[r] != 0x5a5a0000u + 0x111u * r)
            fail_msg("site %08x: r%u = %08x changed", m->site_va, r, m->r[r]);
    if (usable_dead(site, reg, kernel))
        assert_int_equal(m->shared[VSHARED_SCRATCH / 4], 0xdead0008u);
}

static const uint32_t flag_sets[] = { 0, PSR_FLAGS, PSR_Z, PSR_C | PSR_V, PSR_N | PSR_Q };

static void run_mrs(const struct fastpath_link *l, const struct fastpath_site *site,
                    uint32_t rewrite)
{
    unsigned rd = proxy_mrs_rd(site->word);
    for (unsigned f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++) {
        struct machine m;
        machine_at(&m, l, site, rewrite, flag_sets[f]);
        m.shared[VSHARED_CPSR / 4] = 0x193;   /* A, I, SVC */
        m.shared[VSHARED_MSR_CHECK / 4] = fastpath_msr_check(1, 0x13, VPSR_I);
        run(&m);
        assert_int_equal(m.r[rd], 0x193 | flag_sets[f]);
        want_regs_kept(&m, site, rd, false);
        assert_int_equal(m.cpsr, flag_sets[f] | PSR_USR);
        assert_int_equal(m.shared[VSHARED_CPSR / 4], 0x193);
        assert_int_equal(m.shared[VSHARED_MSR_CHECK / 4], fastpath_msr_check(1, 0x13, VPSR_I));
        assert_int_equal(m.traps, 0);
    }
}

static const struct {
    uint32_t cpsr, pending, rm;   /* shared.cpsr and .pending, the value written */
    uint32_t then;                /* shared.cpsr afterwards */
    unsigned traps;
} msr_cases[] = {
    { 0x113, 0, 0x93, 0x193, 0 },                /* mask IRQs */
    { 0x193, 0, 0x13, 0x113, 0 },                /* unmask, nothing pending */
    { 0x193, VPSR_I, 0x13, 0x113, 1 },           /* unmask a pending IRQ: trap */
    { 0x193, VPSR_I, 0x93, 0x193, 1 },           /* while one is pending, every MSR traps */
    { 0x193, VPSR_I, 0xd3, 0x1d3, 1 },
    { 0x1d3, VPSR_F, 0x93, 0x193, 1 },           /* unmask a pending FIQ: trap */
    { 0x1d3, VPSR_F, 0x53, 0x153, 1 },
    { 0x1d3, VPSR_I | VPSR_F, 0x13, 0x113, 1 },
    { 0x193, 0, 0x92, 0x192, 1 },                /* mode change: trap */
    { 0x193, 0, 0x9f, 0x19f, 1 },
    { 0x193, 0, 0xb3, 0x1b3, 1 },                /* T: trap */
    { 0x193, 0, 0xffffff13u, 0x113, 0 },         /* only Rm[7:0] counts */
    { 0x013, 0, 0xa5a5a5d3u, 0x0d3, 0 },
    { 0x192, 0, 0x12, 0x112, 0 },                /* in IRQ mode */
    { 0x1d7, VPSR_I, 0xd7, 0x1d7, 1 },           /* ABT mode, masked while pending */
    { 0x1d7, 0, 0x57, 0x157, 0 },
    { 0x1d7, VPSR_I, 0x57, 0x157, 1 },
    { 0x1d3, 0, 0xd1, 0x1d1, 1 },                /* to FIQ mode: trap (r8-r12 kept) */
    { 0x110, 0, 0x10, 0x110, 1 },                /* User mode: every one traps */
    { 0x1d0, 0, 0xd0, 0x1d0, 1 },
};

/* The shared page's check word for a case: as the VMM exports it. */
static uint32_t check_of(uint32_t cpsr, uint32_t pending)
{
    return fastpath_msr_check((cpsr & 0x1f) != PSR_USR, cpsr & 0x1f, pending);
}

static void run_msr(const struct fastpath_link *l, const struct fastpath_site *site,
                    uint32_t rewrite)
{
    unsigned rm = proxy_msr_reg_rm(site->word);
    for (unsigned c = 0; c < sizeof msr_cases / sizeof msr_cases[0]; c++)
        for (unsigned f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++) {
            struct machine m;
            machine_at(&m, l, site, rewrite, flag_sets[f]);
            m.r[rm] = msr_cases[c].rm;
            m.shared[VSHARED_CPSR / 4] = msr_cases[c].cpsr;
            m.shared[VSHARED_MSR_CHECK / 4] = check_of(msr_cases[c].cpsr, msr_cases[c].pending);
            run(&m);
            if (m.shared[VSHARED_CPSR / 4] != msr_cases[c].then || m.traps != msr_cases[c].traps)
                fail_msg("site %08x, case %u: cpsr %08x, %u traps; want %08x, %u", site->va, c,
                         m.shared[VSHARED_CPSR / 4], m.traps, msr_cases[c].then,
                         msr_cases[c].traps);
            assert_int_equal(m.r[rm], msr_cases[c].rm);
            want_regs_kept(&m, site, rm, false);
            assert_int_equal(m.cpsr, flag_sets[f] | PSR_USR);   /* the flags come back */
            assert_int_equal(m.shared[VSHARED_MSR_CHECK / 4],
                             check_of(msr_cases[c].cpsr, msr_cases[c].pending));
        }
}

/* Dead registers for site i: none, one, several, or only the site's own register (which the
 * trampoline cannot take: it spills another). */
static uint16_t some_dead(unsigned i, unsigned reg)
{
    static const uint16_t masks[] = { 0, 0x0001, 0x0100, 0x1000, 0x0ff0, 0x1fff, 0x0006 };
    return i % 8 == 7 ? (reg < 13 ? (uint16_t)(1u << reg) : 0) : masks[i % 8];
}

/* Links the sites and runs each (their conditions made AL). */
static void run_sites(const struct fastpath_sites *s)
{
    struct fastpath_link l;
    link_ok(s, fastpath_region_size(s), &l);
    assert_true(l.size >= 6 * PAGE);
    assert_int_equal(l.nrw, s->n);
    for (size_t i = 0; i < l.nrw; i++) {
        struct fastpath_site site = s->site[i];
        site.word = (site.word & 0x0fffffffu) | COND_AL << 28;   /* conditions: next test */
        uint32_t rewrite = (l.rw[i].word & 0x0fffffffu) | COND_AL << 28;
        if (is_mrs(site.word))
            run_mrs(&l, &site, rewrite);
        else
            run_msr(&l, &site, rewrite);
    }
    fastpath_link_free(&l);
}

/* Every register but pc, both kinds, over several code pages (each with its own view of the
 * shared page); with dead registers, which the trampolines take as their scratch. */
static void test_execute(void **state)
{
    (void)state;
    for (int dead = 0; dead <= 1; dead++) {
        struct fastpath_sites s;
        many_sites(&s, 400);
        for (size_t i = 0; dead && i < s.n; i++)
            s.site[i].dead = some_dead((unsigned)i, reg_of(s.site[i].word));
        run_sites(&s);
        fastpath_sites_free(&s);
    }
}

/* A kernel's interrupt save (MRS Ra, CPSR; ORR Rb, Ra, #bits; MSR CPSR_c, Rb) linked as one
 * trampoline when the code never runs in User mode: Ra and Rb as the three instructions leave
 * them, shared.cpsr[7:0] = Rb[7:0], no trap, back after the MSR; the MSR keeps a trampoline of
 * its own.  Not fused for code that may run in User mode. */
static void test_execute_irqsave(void **state)
{
    (void)state;
    static const struct {
        unsigned ra, rb;
        uint32_t imm12;   /* the ORR's operand */
    } forms[] = { { 1, 2, 0x080 }, { 0, 12, 0x0c0 }, { 9, 10, 0x040 }, { 3, 1, 0x080 },
                  { 12, 0, 0x402 } /* #0x02000000: no control bit */, { 14, 4, 0x080 } };
    static const uint32_t cpsrs[] = { 0x113, 0x193, 0x1d3, 0x112, 0x11f, 0x017, 0x0db };
    for (unsigned i = 0; i < sizeof forms / sizeof forms[0]; i++)
        for (int reads = 0; reads <= 1; reads++) {
            unsigned ra = forms[i].ra, rb = forms[i].rb;
            uint32_t orr = 0xe3800000u | ra << 16 | rb << 12 | forms[i].imm12;
            struct fastpath_sites s = { .reads = reads };
            struct fastpath_link l;
            add_site(&s, TEXT_VA, mrs(COND_AL, ra));
            add_site(&s, TEXT_VA + 8, msr_c(COND_AL, rb));
            s.site[0].orr = orr;
            link_ok(&s, fastpath_region_size(&s), &l);
            assert_int_equal(l.nrw, 2);
            assert_int_equal(l.irqsaves, (unsigned long)reads);
            uint32_t t = b_target(TEXT_VA, l.rw[0].word), sh = shared_of(t);
            if (!reads) {
                check_mrs_tramp(&l, t, ra, ra == 0 ? 1 : 0, TEXT_VA + 4);
                fastpath_link_free(&l);
                fastpath_sites_free(&s);
                continue;
            }
            want_pcrel(&l, t + 0, "ldr", rb, sh + VSHARED_CPSR);
            want_mrs(&l, t + 4, ra);
            want_regs3(&l, t + 8, "orr", ra, ra, rb);
            assert_int_equal(word_at(&l, t + 12), orr);
            want_pcrel(&l, t + 16, "strb", rb, sh + VSHARED_CPSR);
            want_b(&l, t + 20, "b", TEXT_VA + 12);
            for (unsigned c = 0; c < sizeof cpsrs / sizeof cpsrs[0]; c++)
                for (unsigned f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++) {
                    struct machine m;
                    machine_at(&m, &l, &s.site[0], l.rw[0].word, flag_sets[f]);
                    m.end = TEXT_VA + 12;
                    m.shared[VSHARED_CPSR / 4] = cpsrs[c];
                    m.shared[VSHARED_MSR_CHECK / 4] = check_of(cpsrs[c], VPSR_I | VPSR_F);
                    run(&m);
                    uint32_t vcpsr = cpsrs[c] | flag_sets[f] | PSR_USR;
                    assert_int_equal(m.r[ra], vcpsr);
                    assert_int_equal(m.r[rb], vcpsr | rotated(forms[i].imm12));
                    assert_int_equal(m.shared[VSHARED_CPSR / 4],
                                     (cpsrs[c] & ~0xffu) | ((vcpsr | rotated(forms[i].imm12)) & 0xffu));
                    assert_int_equal(m.cpsr, flag_sets[f] | PSR_USR);
                    assert_int_equal(m.traps, 0);
                    for (unsigned r = 0; r < 15; r++)
                        if (r != ra && r != rb && m.r[r] != 0x5a5a0000u + 0x111u * r)
                            fail_msg("irqsave: r%u changed", r);
                }
            fastpath_link_free(&l);
            fastpath_sites_free(&s);
        }
}

/* MSR CPSR_c, #imm: the trampoline compares and writes the immediate's bits 7:0, the only
 * ones CPSR_c takes (a rotated immediate's high bits do not count), through its scratch: r1
 * spilled, or the lowest dead register, not spilled (one word less before). */
static void run_msr_imm(unsigned c, uint32_t imm12, uint16_t dead, bool kernel)
{
    struct fastpath_sites s = { .reads = kernel };
    struct fastpath_link l;
    add_site(&s, TEXT_VA, proxy_make_msr_cpsr_imm(COND_AL, PSR_FIELD_C, imm12));
    s.site[0].dead = dead;
    uint32_t v = rotated(imm12) & 0xffu, usable = usable_dead(&s.site[0], 16, kernel);
    uint32_t o = usable ? 4 : 0;
    unsigned scr = usable ? (unsigned)__builtin_ctz(usable) : 1;
    link_ok(&s, fastpath_region_size(&s), &l);
    assert_int_equal(l.msr, 1);
    uint32_t t = b_target(TEXT_VA, l.rw[0].word), sh = shared_of(t);
    want_pcrel(&l, t + 4 - o, "ldr", scr, sh + VSHARED_MSR_CHECK);
    cs_insn *ci = dis(&l, t + 8 - o, "eor");
    assert_int_equal(imm_of(ci), v << 26);
    cs_free(ci, 1);
    ci = dis(&l, t + 28 - o, "mov");
    assert_int_equal(imm_of(ci), v);
    cs_free(ci, 1);
    want_pcrel(&l, t + 32 - o, "strb", scr, sh + VSHARED_CPSR);
    for (unsigned f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++) {
        struct machine m;
        machine_at(&m, &l, &s.site[0], l.rw[0].word, flag_sets[f]);
        m.shared[VSHARED_CPSR / 4] = msr_cases[c].cpsr;
        m.shared[VSHARED_MSR_CHECK / 4] = check_of(msr_cases[c].cpsr, msr_cases[c].pending);
        run(&m);
        if (m.shared[VSHARED_CPSR / 4] != msr_cases[c].then || m.traps != msr_cases[c].traps)
            fail_msg("#imm %03x, case %u: cpsr %08x, %u traps; want %08x, %u", imm12, c,
                     m.shared[VSHARED_CPSR / 4], m.traps, msr_cases[c].then,
                     msr_cases[c].traps);
        want_regs_kept(&m, &s.site[0], 16, kernel);
        assert_int_equal(m.cpsr, flag_sets[f] | PSR_USR);
    }
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

static void test_execute_msr_imm(void **state)
{
    (void)state;
    for (unsigned c = 0; c < sizeof msr_cases / sizeof msr_cases[0]; c++) {
        uint32_t v = msr_cases[c].rm & 0xffu;
        for (unsigned d = 0; d < 6; d++) {   /* dead: none, r0, r9 and r12; bare metal, kernel */
            uint16_t dead = (uint16_t)(d % 3 == 0 ? 0 : d % 3 == 1 ? 0x0001 : 0x1200);
            run_msr_imm(c, v, dead, d >= 3);
            if (v < 64)   /* (v << 2 | 1) ror 2 = 0x40000000 | v */
                run_msr_imm(c, 0x100u | v << 2 | 1, dead, d >= 3);
        }
    }
}

/* MRS Rd, SPSR and MRC p15 c1/c3 read the shared page, in a kernel only (sites.reads); other
 * CP15 reads keep trapping. */
static void test_execute_state_reads(void **state)
{
    (void)state;
    static const struct { uint32_t word; unsigned rd; uint32_t field; } reads[] = {
        { 0xe14f3000u, 3, VSHARED_SPSR },    /* mrs r3, spsr */
        { 0xee112f10u, 2, VSHARED_SCTLR },   /* mrc p15, 0, r2, c1, c0, 0 */
        { 0xee13ef10u, 14, VSHARED_DACR },   /* mrc p15, 0, lr, c3, c0, 0 */
        { 0x0e134f10u, 4, VSHARED_DACR },    /* mrceq p15, 0, r4, c3, c0, 0 */
    };
    const uint32_t others[] = { 0xee125f10u /* c2: TTBR */, 0xee111f30u /* c1, opc2 1 */,
                                0xe10f3000u /* mrs r3, cpsr: unpatched, not a read */ };
    struct fastpath_sites s = { .reads = true };
    struct fastpath_link l;
    for (unsigned i = 0; i < 4; i++)
        add_site(&s, TEXT_VA + 4 * i, reads[i].word);
    for (unsigned i = 0; i < 3; i++)
        add_site(&s, TEXT_VA + 16 + 4 * i, others[i]);
    link_ok(&s, fastpath_region_size(&s), &l);
    assert_int_equal(l.reads, 4);
    assert_int_equal(l.left, 3);
    for (unsigned i = 0; i < 4; i++) {
        struct machine m;
        machine_at(&m, &l, &s.site[i], l.rw[i].word, i == 3 ? PSR_Z : 0);
        m.shared[reads[i].field / 4] = 0x12345678u + i;
        run(&m);
        assert_int_equal(m.r[reads[i].rd], 0x12345678u + i);
        want_regs_kept(&m, &s.site[i], reads[i].rd, true);
        assert_int_equal(m.traps, 0);
        assert_int_equal(l.rw[i].word >> 28, reads[i].word >> 28);   /* B<cond> */
    }
    fastpath_link_free(&l);

    /* MSR SPSR_fsxc, Rm: the shared SPSR gets Rm & the mask the VMM exports; other field masks
     * keep trapping.  Dead registers: none, Rm only (no use), two */
    static const uint16_t deads[] = { 0, 0x0020, 0x0108 };
    struct fastpath_sites w = { .reads = true };
    add_site(&w, TEXT_VA, 0xe16ff005u);        /* msr spsr_fsxc, r5 */
    add_site(&w, TEXT_VA + 4, 0xe161f005u);    /* msr spsr_c, r5 */
    for (unsigned d = 0; d < 3; d++) {
        w.site[0].dead = deads[d];
        link_ok(&w, fastpath_region_size(&w), &l);
        assert_int_equal(l.reads, 1);
        assert_int_equal(l.left, 1);
        for (unsigned f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++) {
            struct machine m;
            machine_at(&m, &l, &w.site[0], l.rw[0].word, flag_sets[f]);
            m.shared[VSHARED_SPSR_MASK / 4] = 0xf91001ffu;
            m.r[5] = 0xffffffffu;
            run(&m);
            assert_int_equal(m.shared[VSHARED_SPSR / 4], 0xf91001ffu);
            assert_int_equal(m.r[5], 0xffffffffu);
            want_regs_kept(&m, &w.site[0], 5, true);
            assert_int_equal(m.cpsr, flag_sets[f] | PSR_USR);
        }
        fastpath_link_free(&l);
    }
    fastpath_sites_free(&w);

    /* code that may run in User mode: MRS SPSR / MRC must stay UNDEFINED */
    const uint32_t words[] = { reads[0].word, reads[1].word, reads[2].word, reads[3].word };
    want_none_linked(words, 4, false);
    fastpath_sites_free(&s);
}

/* STM Rn, {sp, lr}^ stores the User sp and lr the VMM keeps in the shared page; LDM Rn,
 * {..., sp, lr}^ loads them there and the rest into the registers, for every addressing mode. */
static void test_execute_user_blocks(void **state)
{
    (void)state;
    static const struct { uint32_t word; unsigned rn; int32_t lowest; } blocks[] = {
        { 0xe9486000u, 8, -8 },    /* stmdb r8, {sp, lr}^ */
        { 0xe8c06000u, 0, 0 },     /* stmia r0, {sp, lr}^ (scratch r1) */
        { 0xe9c36000u, 3, 4 },     /* stmib r3, {sp, lr}^ */
        { 0xe8476000u, 7, -4 },    /* stmda r7, {sp, lr}^ */
        { 0xe9527ffeu, 2, -56 },   /* ldmdb r2, {r1-lr}^ (Linux's ret_fast_syscall) */
        { 0xe9527fffu, 2, -60 },   /* ldmdb r2, {r0-lr}^ */
        { 0xe8dd7fffu, 13, 0 },    /* ldm sp, {r0-lr}^: sp not in the rest */
        { 0xe9d46003u, 4, 4 },     /* ldmib r4, {r0, r1, sp, lr}^ */
    };
    for (unsigned k = 0; k < 2 * sizeof blocks / sizeof blocks[0]; k++) {
        unsigned i = k / 2;
        struct fastpath_sites s = { .reads = true };
        struct fastpath_link l;
        struct machine m;
        add_site(&s, TEXT_VA, blocks[i].word);
        s.site[0].dead = k % 2 ? 0x1100 : 0;   /* r8 and r12: an STM takes one as its scratch */
        link_ok(&s, fastpath_region_size(&s), &l);
        assert_int_equal(l.reads, 1);
        machine_at(&m, &l, &s.site[0], l.rw[0].word, PSR_Z | PSR_C);
        unsigned rn = blocks[i].rn;
        uint32_t base = MEM_VA + 128, list = blocks[i].word & 0xffffu, n = 0;
        m.r[rn] = base;
        for (unsigned w = 0; w < 64; w++)
            m.mem[w] = 0x77000000u + w;
        m.shared[VSHARED_USR_SP / 4] = 0x5550000du;
        m.shared[VSHARED_USR_LR / 4] = 0x5550000eu;
        run(&m);
        uint32_t lo = (base + (uint32_t)blocks[i].lowest - MEM_VA) / 4;
        bool load = blocks[i].word & 1u << 20;
        for (unsigned r = 0; r < 15; r++) {
            if (!(list & 1u << r))
                continue;
            uint32_t want = load ? 0x77000000u + lo + n : r == 13 ? 0x5550000du : 0x5550000eu;
            uint32_t got = load ? (r < 13 ? m.r[r] : m.shared[(r == 13 ? VSHARED_USR_SP
                                                                       : VSHARED_USR_LR) / 4])
                                : m.mem[lo + n];
            if (got != want)
                fail_msg("%08x: r%u: %08x, want %08x", blocks[i].word, r, got, want);
            n++;
        }
        for (unsigned r = 0; r < 15; r++)   /* everything else kept: sp and lr are the SVC ones */
            if (!(list & 1u << r && r < 13) && r != rn && !(s.site[0].dead >> r & 1) &&
                m.r[r] != 0x5a5a0000u + 0x111u * r)
                fail_msg("%08x: r%u = %08x changed", blocks[i].word, r, m.r[r]);
        assert_int_equal(m.shared[VSHARED_SCRATCH / 4] == 0xdead0008u, s.site[0].dead || load);
        if (!(list & 1u << rn) || !(blocks[i].word & 1u << 20))
            assert_int_equal(m.r[rn], base);   /* no writeback */
        assert_int_equal(m.cpsr, PSR_Z | PSR_C | PSR_USR);
        fastpath_link_free(&l);
        fastpath_sites_free(&s);
    }
    /* not linked: writeback, pc in the list (an exception return), a list without sp and lr,
     * an LDM of nothing but sp and lr */
    const uint32_t others[] = { 0xe9686000u /* stmdb r8!, {sp, lr}^ */,
                                0xe8ddffffu /* ldm sp, {r0-pc}^: an exception return */,
                                0xe9480003u /* stmdb r8, {r0, r1}^ */,
                                0xe8dd6000u /* ldm sp, {sp, lr}^: no other register */ };
    want_none_linked(others, 4, true);
}

/* MCR DACR: a write that only grants access, compared with what the real DACR grants
 * (VSHARED_DACR_NEED of it), goes to the shared page without a trap; one that takes any of that
 * away (Client lost, Manager lost, Client to the reserved type) traps. */
static void test_execute_dacr_write(void **state)
{
    (void)state;
    static const struct { uint32_t before, real, after; unsigned traps; } cases[] = {
        { 0x51, 0x51, 0x55, 0 },                 /* Linux: uaccess enabled (domain 1 Client) */
        { 0x55, 0x55, 0x51, 1 },                 /* and disabled again */
        { 0x55, 0x51, 0x51, 0 },                 /* ... with the entry DACR taken early */
        { 0x55, 0x51, 0x55, 0 },                 /* ... or a grant not taken yet */
        { 0x55, 0x51, 0x50, 1 },                 /* less than even the real one grants */
        { 0x00000000u, 0x00000000u, 0xffffffffu, 0 },   /* everything becomes Manager */
        { 0x57, 0x57, 0x55, 1 },                 /* domain 0 Manager -> Client */
        { 0x55, 0x55, 0x57, 0 },                 /* and back: a grant */
        { 0x01, 0x01, 0x02, 1 },                 /* Client -> reserved (no access) */
        { 0x02, 0x02, 0x00, 0 },                 /* reserved -> no access: nothing lost */
        { 0xffffffffu, 0xffffffffu, 0xfffffffdu, 1 },   /* one Manager of sixteen lost */
        { 0x02, 0x02, 0x01, 0 },                 /* reserved -> Client */
        { 0xc0000000u, 0xc0000000u, 0x40000000u, 1 },   /* domain 15 Manager -> Client */
    };
    static const uint32_t words[] = { 0xee033f10u /* mcr p15, 0, r3, c3, c0, 0 */,
                                      0xee030f10u /* ... r0 (scratch r1, r2) */,
                                      0xee031f10u /* ... r1 (scratch r0, r2) */,
                                      0x1e03ef10u /* mcrne ... lr */ };
    for (unsigned k = 0; k < 3 * 4; k++) {   /* dead: none, r0 and r1, r3 */
        unsigned w = k % 4;
        struct fastpath_sites s = { .reads = true };
        struct fastpath_link l;
        add_site(&s, TEXT_VA, words[w]);
        s.site[0].dead = (uint16_t)(k / 4 == 0 ? 0 : k / 4 == 1 ? 0x0003 : 0x0008);
        link_ok(&s, fastpath_region_size(&s), &l);
        assert_int_equal(l.reads, 1);
        unsigned rd = words[w] >> 12 & 15;
        for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++)
            for (unsigned f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++) {
                struct machine m;
                uint32_t flags = w == 3 ? flag_sets[f] & ~PSR_Z : flag_sets[f];   /* NE passes */
                machine_at(&m, &l, &s.site[0], l.rw[0].word, flags);
                m.r[rd] = cases[c].after;
                m.shared[VSHARED_DACR / 4] = cases[c].before;
                m.shared[VSHARED_DACR_NEED / 4] = fastpath_dacr_need(cases[c].real);
                run(&m);
                if (m.shared[VSHARED_DACR / 4] != cases[c].after || m.traps != cases[c].traps)
                    fail_msg("%08x, case %u: dacr %08x, %u traps; want %08x, %u", words[w], c,
                             m.shared[VSHARED_DACR / 4], m.traps, cases[c].after,
                             cases[c].traps);
                want_regs_kept(&m, &s.site[0], rd, true);
                assert_int_equal(m.cpsr, flags | PSR_USR);
            }
        fastpath_link_free(&l);
        fastpath_sites_free(&s);
    }
}

/* A conditional site whose condition fails changes nothing; when it passes, it works. */
static void test_execute_conditional(void **state)
{
    (void)state;
    struct fastpath_sites s;
    struct fastpath_link l;
    mixed_sites(&s);
    link_ok(&s, 2 * PAGE, &l);
    for (unsigned i = 4; i < N_MIXED; i++) {   /* the NE and GT ones */
        const struct fastpath_site *site = &s.site[i];
        unsigned reg = reg_of(site->word);
        struct machine m;
        machine_at(&m, &l, site, l.rw[i].word, PSR_Z);   /* NE and GT fail */
        m.shared[VSHARED_CPSR / 4] = 0x193;
        run(&m);
        want_regs_kept(&m, site, 16, false);
        assert_int_equal(m.shared[VSHARED_CPSR / 4], 0x193);
        assert_int_equal(m.cpsr, PSR_Z | PSR_USR);

        machine_at(&m, &l, site, l.rw[i].word, PSR_C);   /* they pass */
        m.r[reg] = 0x13;
        m.shared[VSHARED_CPSR / 4] = 0x193;
        run(&m);
        if (is_mrs(site->word)) {
            assert_int_equal(m.r[reg], 0x193 | PSR_C);
        } else {
            assert_int_equal(m.shared[VSHARED_CPSR / 4], 0x113);
            assert_int_equal(m.r[reg], 0x13);
        }
        assert_int_equal(m.cpsr, PSR_C | PSR_USR);
    }
    fastpath_link_free(&l);
    fastpath_sites_free(&s);
}

/* ------------------------------------------------------------------ the check words */

/* fastpath_msr_check(), for every value, mode and pending lines, as the MSR trampolines test it
 * (r = check ^ v << 26 zero or not, by CLZ >> 3: 0 for every nonzero r), against the rule it
 * encodes: fast when the mode and T stay and no line is pending, in a privileged mode; never in
 * User mode. */
static void test_msr_check_word(void **state)
{
    (void)state;
    static const unsigned modes[] = { 0x10, 0x11, 0x12, 0x13, 0x17, 0x1b, 0x1f };
    for (unsigned m = 0; m < sizeof modes / sizeof modes[0]; m++)
        for (uint32_t pending = 0; pending <= (VPSR_I | VPSR_F); pending += VPSR_F)
            for (uint32_t v = 0; v < 256; v++) {
                bool priv = modes[m] != PSR_USR;
                uint32_t r = fastpath_msr_check(priv, modes[m], pending) ^ v << 26;
                bool fast = r == 0;
                bool want = priv && ((v ^ modes[m]) & 0x3f) == 0 && !pending;
                if (fast != want)
                    fail_msg("mode %02x, pending %02x, value %02x: %s", modes[m], pending, v,
                             fast ? "fast, want a trap" : "a trap, want fast");
                if (!fast && __builtin_clz(r) >> 3)
                    fail_msg("mode %02x, pending %02x, value %02x: CLZ %d, the test misses",
                             modes[m], pending, v, __builtin_clz(r));
            }
}

/* fastpath_dacr_need(g) & ~n == 0 exactly when no domain loses access from g to n, the rule
 * written out per field: Client (1) and Manager (3) keep their access bit, Manager its
 * Manager bit (no access 0 and reserved 2 have nothing to lose). */
static void test_dacr_need_word(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    for (unsigned i = 0; i < 200000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t g = seed;
        seed = seed * 1103515245u + 12345u;
        uint32_t n = i % 4 == 0 ? g | seed : i % 4 == 1 ? g & seed : seed;
        bool lazy = (fastpath_dacr_need(g) & ~n) == 0, want = true;
        for (unsigned d = 0; d < 16; d++) {
            unsigned before = g >> (2 * d) & 3, after = n >> (2 * d) & 3;
            if (((before & 1) && !(after & 1)) || (before == 3 && after != 3))
                want = false;
        }
        if (lazy != want)
            fail_msg("dacr %08x -> %08x: %s", g, n,
                     lazy ? "lazy, want a trap" : "a trap, want lazy");
    }
}

/* ------------------------------------------------------------------ dead registers */

/* fastpath_dead_after() on the code after a site: what is written before it is read, up to an
 * instruction it does not follow, and unless faults restart, up to the first memory access, a
 * load's destination not counted. */
static void test_dead_after(void **state)
{
    (void)state;
    static const struct {
        uint32_t w[FASTPATH_DEAD_WINDOW];
        unsigned n;
        uint16_t dead, dead_restart;   /* without, with faults_restart */
    } cases[] = {
        /* Linux's vector_swi: mov r8, #0x51; mcr p15, 0, r8, c3, c0, 0; add r9, pc, #...;
         * add r1, r1, #1 (the MCR may be UNDEFINED: r9 counts only where faults restart) */
        { { 0xe3a08051u, 0xee038f10u, 0xe28f99aeu, 0xe2811001u }, 4, 0x0100, 0x0300 },
        { { 0xe2811001u }, 1, 0, 0 },                           /* add r1, r1, #1: read */
        { { 0x13a03000u, 0xe3a03001u }, 2, 0x0008, 0x0008 },    /* movne r3, #0; mov r3, #1 */
        { { 0x13a03000u }, 1, 0, 0 },                           /* movne r3, #0: maybe not */
        { { 0xe5921048u }, 1, 0, 0x0002 },                      /* ldr r1, [r2, #72] */
        { { 0xe5843000u, 0xe3a05000u }, 2, 0, 0x0020 },         /* str r3, [r4]; mov r5, #0 */
        { { 0xeafffffeu, 0xe3a05000u }, 2, 0, 0 },              /* b .; mov r5, #0 */
        { { 0xe9527ffeu }, 1, 0, 0x1ffa },                      /* ldmdb r2, {r1-lr}^ */
        { { 0xe5933000u }, 1, 0, 0 },                           /* ldr r3, [r3] */
        { { 0xe1a0f00eu, 0xe3a05000u }, 2, 0, 0 },              /* mov pc, lr; mov r5, #0 */
        { { 0xe16f4f15u, 0xe0060897u }, 2, 0x0050, 0x0050 },    /* clz r4, r5; mul r6, r7, r8 */
        { { 0xe3a0e000u }, 1, 0, 0 },                           /* mov lr, #0: not r0-r12 */
        { { 0xe4b01000u }, 1, 0, 0 },                           /* ldrt r1, [r0]: User access */
        { { 0xe1a00001u, 0xe1a01000u }, 2, 0x0001, 0x0001 },    /* mov r0, r1; mov r1, r0 */
        { { 0xe4954004u }, 1, 0, 0x0010 },                      /* ldr r4, [r5], #4 */
        { { 0xe1c620d0u }, 1, 0, 0x000c },                      /* ldrd r2, [r6] */
        { { 0xe3570001u, 0xe0203291u }, 2, 0x0001, 0x0001 },    /* cmp r7, #1; mla r0, r1, r2, r3 */
        { { 0xe0c54796u, 0xe3a04000u }, 2, 0, 0 },              /* smull ...: not followed */
        { { 0xe1064095u }, 1, 0, 0 },                           /* swp r4, r5, [r6] */
        { { 0xe8bd0030u }, 1, 0, 0x0030 },                      /* pop {r4, r5} */
        { { 0xe8908002u }, 1, 0, 0 },                           /* ldm r0, {r1, pc} */
        { { 0xee11cf10u }, 1, 0x1000, 0x1000 },                 /* mrc p15, 0, ip, c1, c0, 0 */
        { { 0xee11ce10u }, 1, 0, 0 },                           /* mrc p14: not followed */
        /* orr r2, r2, r3, lsl r4; mov r4, #0; mov r3, #0: all three read first */
        { { 0xe1822413u, 0xe3a04000u, 0xe3a03000u }, 3, 0, 0 },
        /* Linux's vector_swi after stmdb r8, {sp, lr}^: mrs r8, spsr; str lr, [sp, #60];
         * str r8, [sp, #64]; str r0, [sp, #68]: r8 only, then ip behind three stores */
        { { 0xe14f8000u, 0xe58de03cu, 0xe58d8040u, 0xe58d0044u }, 4, 0x0100, 0x0100 },
        { { 0xe14f8000u, 0xe58de03cu, 0xe58d8040u, 0xee11cf10u }, 4, 0x0100, 0x1100 },
        { { 0xe3a05000u }, 0, 0, 0 },                           /* nothing looked at */
        /* five reads of r1, then mov r2, #0: the sixth word counts */
        { { 0xe2811001u, 0xe2811001u, 0xe2811001u, 0xe2811001u, 0xe2811001u, 0xe3a02000u }, 6,
          0x0004, 0x0004 },
        /* mcr p15, 0, r0, c7, c10, 4 (drain); mov r5, #0: a CP15 access may be UNDEFINED */
        { { 0xee070f9au, 0xe3a05000u }, 2, 0, 0x0020 },
        { { 0xe2811001u, 0xe2811001u, 0xe2811001u, 0xe3a05000u }, 3, 0, 0 },   /* beyond n */
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int restart = 0; restart <= 1; restart++) {
            uint16_t got = fastpath_dead_after(cases[i].w, cases[i].n, restart);
            uint16_t want = restart ? cases[i].dead_restart : cases[i].dead;
            if (got != want)
                fail_msg("case %u (%08x ...), faults %s: dead %04x, want %04x", i,
                         cases[i].w[0], restart ? "restart" : "may not", got, want);
        }
    /* the CPSR proxies: an MRS writes its Rd, an MSR reads its Rm */
    const uint32_t proxies[] = { mrs(COND_AL, 2), msr_c(COND_AL, 5), 0xe3a05000u /* mov r5 */ };
    assert_int_equal(fastpath_dead_after(proxies, 3, false), 0x0004);
    /* Linux's __set_fiq_regs after its mrs r1, cpsr: msr cpsr_c, r2 (to FIQ mode); mov r0, r0;
     * ldmia r0!, {r8-r12}: r8-r12 are FIQ's there, never dead; after an MSR #imm either; r3
     * before the MSR is */
    const uint32_t fiq[] = { msr_c(COND_AL, 2), 0xe1a00000u, 0xe8b01f00u };
    const uint32_t fiq_imm[] = { 0xe3a03000u /* mov r3, #0 */,
                                 proxy_make_msr_cpsr_imm(COND_AL, PSR_FIELD_C, 0xd1),
                                 0xe3a08000u /* mov r8, #0 */ };
    for (int restart = 0; restart <= 1; restart++) {
        assert_int_equal(fastpath_dead_after(fiq, 3, restart), 0);
        assert_int_equal(fastpath_dead_after(fiq_imm, 3, restart), 0x0008);
    }
}

/* ------------------------------------------------------------------ main */


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proxy_constants),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_rewrites),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_page_fill),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_region_checks),
        cmocka_unit_test(test_reach),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_execute),
        cmocka_unit_test(test_execute_conditional),
        cmocka_unit_test(test_reach_back_branch),
        cmocka_unit_test(test_execute_msr_imm),
        cmocka_unit_test(test_execute_irqsave),
        cmocka_unit_test(test_execute_state_reads),
        cmocka_unit_test(test_execute_user_blocks),
        cmocka_unit_test(test_execute_dacr_write),
        cmocka_unit_test(test_unlinkable_sites),
        cmocka_unit_test(test_msr_check_word),
        cmocka_unit_test(test_dacr_need_word),
        cmocka_unit_test(test_dead_after),
    };
    return cmocka_run_group_tests_name("trampoline", tests, cs_setup, cs_teardown);
}
