/* `armvmm patch`: rewrite the sensitive instructions that do not trap in User mode (MRS/MSR on
 * the CPSR) of a guest ELF image into the proxy encoding (common/proxy.h, docs/PATCHER.md).
 *
 * Library part (no printing, for `armvmm run` and the tests) and the CLI (cmd_patch). */
#ifndef ARMVMM_PATCH_H
#define ARMVMM_PATCH_H

#include <stddef.h>
#include <stdint.h>

struct patch_stats {
    /* Sites of the sensitive non-trapping classes: rewritten by patch_elf_file(), found
     * unpatched by patch_check_file(). */
    unsigned long mrs_cpsr;         /* MRS Rd, CPSR */
    unsigned long msr_cpsr_reg;     /* MSR CPSR_<fields>, Rm */
    unsigned long msr_cpsr_imm;     /* MSR CPSR_<fields>, #imm */
    unsigned long proxies;          /* valid proxies found in the input (already patched) */
    unsigned long invalid_proxies;  /* proxy-space words that are not valid proxies */
    unsigned long unpredictable;    /* MRS/MSR-CPSR with should-be-zero/one bits violated: left
                                       alone (UNDEFINED on QEMU's arm926, so they trap already) */
    unsigned long sections;         /* executable sections scanned */
    unsigned long code_words;       /* words in $a regions */
    unsigned long data_words;       /* words in $d regions of executable sections (untouched) */
    unsigned long unmapped_bytes;   /* bytes of executable sections before their first mapping
                                       symbol: data by the ARM ELF rules, untouched */
};

static inline unsigned long patch_stats_sensitive(const struct patch_stats *st)
{
    return st->mrs_cpsr + st->msr_cpsr_reg + st->msr_cpsr_imm;
}

enum patch_site_kind {
    PATCH_SITE_MRS_CPSR,
    PATCH_SITE_MSR_CPSR_REG,
    PATCH_SITE_MSR_CPSR_IMM,
    PATCH_SITE_INVALID_PROXY,
    PATCH_SITE_UNPREDICTABLE,
    PATCH_SITE_PROXY,       /* a valid proxy already in the input (trampoline.c links them) */
    PATCH_SITE_VIRTUAL_STATE, /* MRS/MSR on the SPSR, MRC/MCR p15, LDM/STM of User registers:
                                 trap by themselves, left alone (trampoline.c links some) */
};

struct patch_site {
    enum patch_site_kind kind;
    const char *section;    /* section name */
    uint32_t    addr;       /* virtual address (relocatable files: offset in the section) */
    uint32_t    sec_offset; /* offset in the section */
    uint32_t    sec_size;   /* the section's size */
    uint64_t    file_offset;
    uint32_t    word;       /* the word as found in the input */
    uint32_t    new_word;   /* patch: what it became (== word when left alone) */
};

typedef void (*patch_site_fn)(const struct patch_site *site, void *ctx);

/* Rewrite IN into OUT (a temporary file in OUT's directory, renamed on success; OUT may equal
 * IN).  Returns 0, or -1 with a one-line message in err (then no file was created).  st may be
 * NULL.  An invalid proxy in the input is an error (the file is not ARMv5 code we understand). */
int patch_elf_file(const char *in, const char *out, struct patch_stats *st,
                   char *err, size_t errlen);

/* Same, calling fn (if not NULL) for every site rewritten, every proxy and unpredictable site
 * left. */
int patch_elf_file_sites(const char *in, const char *out, struct patch_stats *st,
                         patch_site_fn fn, void *ctx, char *err, size_t errlen);

/* Inspect IN without writing: fn (if not NULL) gets every unpatched sensitive site, valid and
 * invalid proxy, unpredictable site and virtual-state access.  Returns 0 when nothing needs patching and no invalid proxy is
 * present, 1 when something does, -1 on bad input (message in err). */
int patch_check_file(const char *in, struct patch_stats *st, patch_site_fn fn, void *ctx,
                     char *err, size_t errlen);

/* Disassembly-ish text of an MRS/MSR or proxy word ("msrne cpsr_c, r3"); other words get their
 * decoder class.  Returns buf. */
const char *patch_format_word(uint32_t word, char *buf, size_t len);

const char *patch_site_kind_name(enum patch_site_kind kind);

/* The `armvmm patch` subcommand.  argv[0] is the subcommand name ("patch"):
 *   armvmm patch [-q] IN.elf -o OUT.elf     exit 0 ok, 2 error
 *   armvmm patch --check IN.elf             exit 0 clean, 1 sites remain, 2 error
 * main.c calls it as cmd_patch(argc - 1, argv + 1) and returns its result. */
int cmd_patch(int argc, char **argv);

#endif
