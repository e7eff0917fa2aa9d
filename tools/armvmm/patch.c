/* `armvmm patch`: see patch.h and docs/PATCHER.md.
 *
 * The input is read with libelf only (headers, section data, symbols).  Code is told from data
 * with the ARM ELF mapping symbols ($a, $t, $d and their "$a.<any>" forms): in every executable
 * section (SHF_EXECINSTR, SHT_PROGBITS) the words of $a regions are decoded with the project's
 * decoder (common/decode.h) and every MRS/MSR on the CPSR becomes a proxy.
 *
 * Output: a byte copy of the input in which exactly those words are overwritten, at the file
 * offsets libelf reported (section offset + offset in the section).  elf_update() is not used to
 * write: even with ELF_F_LAYOUT, libelf normalises header fields (EI_VERSION, e_ehsize,
 * sh_entsize ...), zero-fills the bytes between a modified section and its neighbour and
 * truncates bytes after the last structure it knows, so a valid but unusual image would not come
 * out "the same file with different code words".  A final comparison of input and output
 * guarantees that nothing but the rewritten words changed. */
#include "patch.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"

/* ------------------------------------------------------------------ helpers */

struct rewrite {
    uint64_t off;              /* file offset of the word */
    uint32_t word;             /* its new value */
};

struct patch_ctx {
    const char *name;          /* input path, for messages */
    char *err;
    size_t errlen;
    bool failed;
    Elf *elf;
    GElf_Ehdr eh;
    uint64_t fsize;
    bool modify;               /* patch mode: collect the rewrites (and refuse invalid proxies) */
    struct patch_stats st;
    patch_site_fn fn;
    void *fnctx;
    struct rewrite *patched;   /* the rewrites, in file order once sorted */
    size_t npatched, cappatched;
};

struct mapsym {
    uint64_t off;              /* offset in its section */
    size_t order;              /* index in the symbol table (ties: later wins) */
    char type;                 /* 'a', 't', 'd' */
};

__attribute__((format(printf, 2, 3)))
static int fail(struct patch_ctx *c, const char *fmt, ...)
{
    if (!c->failed && c->err && c->errlen) {
        int n = snprintf(c->err, c->errlen, "%s: ", c->name);
        if (n >= 0 && (size_t)n < c->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
        for (char *p = c->err; *p; p++)     /* names from a corrupt file: keep one clean line */
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                *p = '?';
    }
    c->failed = true;
    return -1;
}

static const char *elferr(void)
{
    const char *m = elf_errmsg(-1);
    return m ? m : "unknown libelf error";
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* "$a", "$a.foo" ... -> 'a'; anything else -> 0 */
static char mapping_type(const char *name)
{
    if (name[0] != '$' || (name[1] != 'a' && name[1] != 't' && name[1] != 'd'))
        return 0;
    if (name[2] != '\0' && name[2] != '.')
        return 0;
    return name[1];
}

static bool range_in_file(uint64_t off, uint64_t size, uint64_t fsize)
{
    return off <= fsize && size <= fsize - off;
}

/* ------------------------------------------------------------------ formatting */

static const char *const cond_names[16] = {
    "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
    "hi", "ls", "ge", "lt", "gt", "le", "", "nv",
};

static const char *reg_name(unsigned r)
{
    static const char *const names[16] = {
        "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7",
        "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc",
    };
    return names[r & 15u];
}

static void fields_name(unsigned mask, char out[8])
{
    size_t n = 0;
    if (mask & PSR_FIELD_F) out[n++] = 'f';
    if (mask & PSR_FIELD_S) out[n++] = 's';
    if (mask & PSR_FIELD_X) out[n++] = 'x';
    if (mask & PSR_FIELD_C) out[n++] = 'c';
    if (n == 0) {
        memcpy(out, "none", 5);
        return;
    }
    out[n] = '\0';
}

static void format_psr(const struct insn *in, const struct insn_psr *p, char *buf, size_t len)
{
    const char *psr = p->spsr ? "spsr" : "cpsr";
    const char *cc = cond_names[in->cond];
    char f[8];
    if (in->kind == INSN_MRS || (in->kind == INSN_PROXY && in->proxy.op == PROXY_OP_MRS_CPSR)) {
        snprintf(buf, len, "mrs%s %s, %s", cc, reg_name(p->rd), psr);
        return;
    }
    fields_name(p->mask, f);
    if (p->imm)
        snprintf(buf, len, "msr%s %s_%s, #0x%x", cc, psr, f, (unsigned)p->value);
    else
        snprintf(buf, len, "msr%s %s_%s, %s", cc, psr, f, reg_name(p->rm));
}

const char *patch_format_word(uint32_t word, char *buf, size_t len)
{
    struct insn in;
    decode_arm(word, &in);
    if (!len)
        return buf;
    switch (in.kind) {
    case INSN_MRS:
    case INSN_MSR:
        format_psr(&in, &in.psr, buf, len);
        if (in.unpred & INSN_UNPRED_SBZ) {
            size_t n = strlen(buf);
            snprintf(buf + n, len - n, " (SBZ/SBO bits set: UNPREDICTABLE)");
        }
        break;
    case INSN_PROXY:
        if (in.proxy.valid) {
            char orig[48];
            format_psr(&in, &in.proxy.psr, orig, sizeof orig);
            snprintf(buf, len, "proxy{%s}", orig);
        } else {
            snprintf(buf, len, "invalid proxy (cond %u op %u sub %u A 0x%03x B 0x%x)",
                     (unsigned)in.cond, (unsigned)in.proxy.op, (unsigned)in.proxy.sub,
                     (unsigned)in.proxy.a, (unsigned)in.proxy.b);
        }
        break;
    default:
        snprintf(buf, len, "%s", insn_kind_name(in.kind));
        break;
    }
    return buf;
}

const char *patch_site_kind_name(enum patch_site_kind kind)
{
    switch (kind) {
    case PATCH_SITE_MRS_CPSR:      return "mrs cpsr";
    case PATCH_SITE_MSR_CPSR_REG:  return "msr cpsr, reg";
    case PATCH_SITE_MSR_CPSR_IMM:  return "msr cpsr, #imm";
    case PATCH_SITE_INVALID_PROXY: return "invalid proxy";
    case PATCH_SITE_UNPREDICTABLE: return "unpredictable mrs/msr cpsr";
    case PATCH_SITE_PROXY:         return "proxy";
    case PATCH_SITE_VIRTUAL_STATE: return "virtual state";
    }
    return "?";
}

/* ------------------------------------------------------------------ ELF checks */

static int open_checked(struct patch_ctx *c, int fd)
{
    const char *ident;
    size_t n;

    c->elf = elf_begin(fd, ELF_C_READ, NULL);
    if (!c->elf)
        return fail(c, "cannot read ELF: %s", elferr());
    if (elf_kind(c->elf) != ELF_K_ELF)
        return fail(c, "not an ELF file");
    ident = elf_getident(c->elf, &n);
    if (!ident || n < EI_NIDENT)
        return fail(c, "truncated ELF identification");
    if ((unsigned char)ident[EI_CLASS] != ELFCLASS32)
        return fail(c, "not a 32-bit ELF file (EI_CLASS %u); armvmm guests are ELFCLASS32 ARM",
                    (unsigned char)ident[EI_CLASS]);
    if ((unsigned char)ident[EI_DATA] != ELFDATA2LSB)
        return fail(c, "not a little-endian ELF file (EI_DATA %u)",
                    (unsigned char)ident[EI_DATA]);
    if (!gelf_getehdr(c->elf, &c->eh))
        return fail(c, "corrupt ELF header: %s", elferr());
    if (c->eh.e_machine != EM_ARM)
        return fail(c, "not an ARM ELF file (e_machine %u)", (unsigned)c->eh.e_machine);
    if (c->eh.e_type != ET_EXEC && c->eh.e_type != ET_REL && c->eh.e_type != ET_DYN)
        return fail(c, "unsupported ELF type %u (want executable, shared or relocatable)",
                    (unsigned)c->eh.e_type);
    return 0;
}

/* Every header and every section's bytes must lie inside the file: catches truncation and most
 * header corruption before any data is used. */
static int check_layout(struct patch_ctx *c)
{
    size_t shnum, phnum, shstrndx;

    if (elf_getshdrnum(c->elf, &shnum) != 0)
        return fail(c, "corrupt section header table: %s", elferr());
    if (shnum == 0)
        return fail(c, "no section headers (needed for the symbol table and mapping symbols)");
    if (c->eh.e_shentsize != sizeof(Elf32_Shdr))
        return fail(c, "corrupt ELF header: e_shentsize %u", (unsigned)c->eh.e_shentsize);
    if (!range_in_file(c->eh.e_shoff, (uint64_t)shnum * sizeof(Elf32_Shdr), c->fsize))
        return fail(c, "truncated or corrupt: section header table beyond the end of the file");
    if (elf_getshdrstrndx(c->elf, &shstrndx) != 0 || shstrndx == 0 || shstrndx >= shnum)
        return fail(c, "corrupt section name table index");

    if (elf_getphdrnum(c->elf, &phnum) != 0)
        return fail(c, "corrupt program header table: %s", elferr());
    if (phnum) {
        if (c->eh.e_phentsize != sizeof(Elf32_Phdr))
            return fail(c, "corrupt ELF header: e_phentsize %u", (unsigned)c->eh.e_phentsize);
        if (!range_in_file(c->eh.e_phoff, (uint64_t)phnum * sizeof(Elf32_Phdr), c->fsize))
            return fail(c, "truncated or corrupt: program headers beyond the end of the file");
    }
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(c->elf, (int)i, &ph))
            return fail(c, "corrupt program header %zu: %s", i, elferr());
        if (!range_in_file(ph.p_offset, ph.p_filesz, c->fsize))
            return fail(c, "truncated or corrupt: segment %zu (offset 0x%llx, size 0x%llx) "
                        "beyond the end of the file", i, (unsigned long long)ph.p_offset,
                        (unsigned long long)ph.p_filesz);
    }
    /* ELF header and section header sanity (what a linker always gets right). */
    if ((unsigned char)elf_getident(c->elf, NULL)[EI_VERSION] != EV_CURRENT ||
        c->eh.e_version != EV_CURRENT)
        return fail(c, "corrupt ELF header: unknown ELF version");
    if (c->eh.e_ehsize != sizeof(Elf32_Ehdr))
        return fail(c, "corrupt ELF header: e_ehsize %u", (unsigned)c->eh.e_ehsize);
    if (c->eh.e_shnum != (shnum >= SHN_LORESERVE ? 0 : shnum))
        return fail(c, "corrupt ELF header: e_shnum %u", (unsigned)c->eh.e_shnum);
    for (size_t i = 1; i < shnum; i++) {
        Elf_Scn *scn = elf_getscn(c->elf, i);
        GElf_Shdr sh;
        uint64_t want = 0;
        if (!scn || !gelf_getshdr(scn, &sh))
            return fail(c, "corrupt section header %zu: %s", i, elferr());
        if (sh.sh_type != SHT_NOBITS && !range_in_file(sh.sh_offset, sh.sh_size, c->fsize))
            return fail(c, "truncated or corrupt: section %zu (offset 0x%llx, size 0x%llx) "
                        "beyond the end of the file", i, (unsigned long long)sh.sh_offset,
                        (unsigned long long)sh.sh_size);
        if (!elf_strptr(c->elf, shstrndx, sh.sh_name))
            return fail(c, "corrupt name of section %zu", i);
        if (sh.sh_addralign & (sh.sh_addralign - 1))
            return fail(c, "corrupt section header %zu: alignment %llu", i,
                        (unsigned long long)sh.sh_addralign);
        switch (sh.sh_type) {
        case SHT_SYMTAB: case SHT_DYNSYM: want = sizeof(Elf32_Sym); break;
        case SHT_RELA:                    want = sizeof(Elf32_Rela); break;
        case SHT_REL:                     want = sizeof(Elf32_Rel); break;
        case SHT_DYNAMIC:                 want = sizeof(Elf32_Dyn); break;
        case SHT_HASH: case SHT_SYMTAB_SHNDX: case SHT_GROUP: want = 4; break;
        default: break;
        }
        if ((want && sh.sh_entsize != want) ||
            (sh.sh_entsize > 1 && !(sh.sh_flags & SHF_COMPRESSED) && sh.sh_size % sh.sh_entsize))
            return fail(c, "corrupt section header %zu: entry size %llu", i,
                        (unsigned long long)sh.sh_entsize);
    }
    return 0;
}

/* All mapping symbols of the file, grouped later per section. */
struct symtab {
    struct mapsym *syms;
    size_t *shndx;             /* section of each entry of syms */
    size_t n;
};

static int read_mapping_symbols(struct patch_ctx *c, struct symtab *out)
{
    Elf_Scn *scn = NULL, *symscn = NULL, *xscn = NULL;
    GElf_Shdr sh, symsh;
    Elf_Data *data, *xdata = NULL;
    size_t count, shnum;

    elf_getshdrnum(c->elf, &shnum);
    while ((scn = elf_nextscn(c->elf, scn)) != NULL) {
        if (!gelf_getshdr(scn, &sh))
            return fail(c, "corrupt section header: %s", elferr());
        if (sh.sh_type == SHT_SYMTAB && !symscn)
            symscn = scn;
    }
    if (!symscn)
        return fail(c, "no symbol table: the ARM mapping symbols ($a/$d/$t) are needed to tell "
                    "code from data (do not strip the input)");
    gelf_getshdr(symscn, &symsh);
    if (symsh.sh_entsize != sizeof(Elf32_Sym) || symsh.sh_size % sizeof(Elf32_Sym))
        return fail(c, "corrupt symbol table (entry size %llu)",
                    (unsigned long long)symsh.sh_entsize);
    if (symsh.sh_link == 0 || symsh.sh_link >= shnum)
        return fail(c, "corrupt symbol table (string table index %u)", (unsigned)symsh.sh_link);
    {
        GElf_Shdr strsh;
        Elf_Scn *strscn = elf_getscn(c->elf, symsh.sh_link);
        if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB)
            return fail(c, "corrupt symbol table (its string table is not SHT_STRTAB)");
    }
    /* An extended section index table (SHT_SYMTAB_SHNDX) linked to the symbol table. */
    scn = NULL;
    while ((scn = elf_nextscn(c->elf, scn)) != NULL) {
        if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB_SHNDX &&
            sh.sh_link == elf_ndxscn(symscn))
            xscn = scn;
    }
    data = elf_getdata(symscn, NULL);
    if (!data || data->d_size != symsh.sh_size)
        return fail(c, "cannot read the symbol table: %s", elferr());
    if (xscn && !(xdata = elf_getdata(xscn, NULL)))
        return fail(c, "cannot read the extended section index table: %s", elferr());

    count = symsh.sh_size / sizeof(Elf32_Sym);
    out->syms = calloc(count ? count : 1, sizeof *out->syms);
    out->shndx = calloc(count ? count : 1, sizeof *out->shndx);
    out->n = 0;
    if (!out->syms || !out->shndx)
        return fail(c, "out of memory");
    for (size_t i = 1; i < count; i++) {
        GElf_Sym sym;
        Elf32_Word xndx = 0;
        const char *name;
        char type;
        size_t ndx;
        if (!gelf_getsymshndx(data, xdata, (int)i, &sym, &xndx))
            return fail(c, "corrupt symbol %zu or extended section index table: %s", i,
                        elferr());
        name = elf_strptr(c->elf, symsh.sh_link, sym.st_name);
        if (!name)
            return fail(c, "corrupt name of symbol %zu", i);
        type = mapping_type(name);
        if (!type)
            continue;
        if (sym.st_shndx == SHN_XINDEX)
            ndx = xndx;                     /* 0 (skipped) without an index table */
        else if (sym.st_shndx >= SHN_LORESERVE)
            continue;                       /* SHN_ABS, SHN_COMMON ...: not in a section */
        else
            ndx = sym.st_shndx;
        if (ndx == SHN_UNDEF)
            continue;
        if (ndx >= shnum)
            return fail(c, "mapping symbol %s (symbol %zu) refers to section %zu of %zu",
                        name, i, ndx, shnum);
        out->syms[out->n].off = sym.st_value;
        out->syms[out->n].order = i;
        out->syms[out->n].type = type;
        out->shndx[out->n] = ndx;
        out->n++;
    }
    if (out->n == 0)
        return fail(c, "no mapping symbols ($a/$d/$t) in the symbol table: cannot tell code "
                    "from data");
    return 0;
}

static int cmp_mapsym(const void *a, const void *b)
{
    const struct mapsym *x = a, *y = b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* ------------------------------------------------------------------ scanning */

static void report(struct patch_ctx *c, enum patch_site_kind kind, const char *secname,
                   const GElf_Shdr *sh, uint64_t off, uint32_t word, uint32_t new_word)
{
    struct patch_site s = {
        .kind = kind, .section = secname,
        .addr = (uint32_t)(c->eh.e_type == ET_REL ? off : sh->sh_addr + off),
        .sec_offset = (uint32_t)off, .sec_size = (uint32_t)sh->sh_size,
        .file_offset = sh->sh_offset + off,
        .word = word, .new_word = new_word,
    };
    if (c->fn)
        c->fn(&s, c->fnctx);
}

static int scan_code(struct patch_ctx *c, const char *secname, const GElf_Shdr *sh,
                     Elf_Data *data, uint64_t start, uint64_t end)
{
    unsigned char *buf = data->d_buf;
    for (uint64_t off = start; off + 4 <= end; off += 4) {
        uint32_t w = get_le32(buf + off), nw;
        struct insn in;
        c->st.code_words++;
        decode_arm(w, &in);
        if (insn_is_proxy_candidate(&in)) {
            enum patch_site_kind kind = in.kind == INSN_MRS ? PATCH_SITE_MRS_CPSR
                                      : in.psr.imm ? PATCH_SITE_MSR_CPSR_IMM
                                      : PATCH_SITE_MSR_CPSR_REG;
            if (kind == PATCH_SITE_MRS_CPSR)
                c->st.mrs_cpsr++;
            else if (kind == PATCH_SITE_MSR_CPSR_REG)
                c->st.msr_cpsr_reg++;
            else
                c->st.msr_cpsr_imm++;
            if (!proxy_from_original(w, &nw))
                return fail(c, "internal error: no proxy for 0x%08x", (unsigned)w);
            if (c->modify) {
                if (c->npatched == c->cappatched) {
                    size_t cap = c->cappatched ? c->cappatched * 2 : 1024;
                    struct rewrite *p = realloc(c->patched, cap * sizeof *p);
                    if (!p)
                        return fail(c, "out of memory");
                    c->patched = p;
                    c->cappatched = cap;
                }
                c->patched[c->npatched].off = sh->sh_offset + off;
                c->patched[c->npatched].word = nw;
                c->npatched++;
            } else {
                nw = w;
            }
            report(c, kind, secname, sh, off, w, nw);
        } else if (in.kind == INSN_PROXY) {
            if (in.proxy.valid) {
                c->st.proxies++;
                report(c, PATCH_SITE_PROXY, secname, sh, off, w, w);
            } else {
                c->st.invalid_proxies++;
                report(c, PATCH_SITE_INVALID_PROXY, secname, sh, off, w, w);
                if (c->modify) {
                    char txt[96];
                    return fail(c, "%s+0x%llx (0x%08llx): word 0x%08x is in the proxy space but "
                                "is not a valid proxy (%s); refusing to patch", secname,
                                (unsigned long long)off,
                                (unsigned long long)(c->eh.e_type == ET_REL ? off
                                                     : sh->sh_addr + off),
                                (unsigned)w, patch_format_word(w, txt, sizeof txt));
                }
            }
        } else if (((in.kind == INSN_MRS || in.kind == INSN_MSR) && in.psr.spsr) ||
                   ((in.kind == INSN_MRC || in.kind == INSN_MCR) && in.cp.cp == 15) ||
                   (in.kind == INSN_LOAD_STORE_MULTIPLE && in.block.user_regs)) {
            report(c, PATCH_SITE_VIRTUAL_STATE, secname, sh, off, w, w);
        } else if ((in.kind == INSN_MRS || in.kind == INSN_MSR) && !in.psr.spsr) {
            c->st.unpredictable++;   /* SBZ/SBO violated: UNDEFINED on QEMU, left alone */
            report(c, PATCH_SITE_UNPREDICTABLE, secname, sh, off, w, w);
        }
    }
    return 0;
}

static int scan_section(struct patch_ctx *c, Elf_Scn *scn, const GElf_Shdr *sh,
                        const char *secname, struct mapsym *ms, size_t nms)
{
    Elf_Data *data;

    c->st.sections++;
    if (nms == 0) {
        c->st.unmapped_bytes += sh->sh_size;
        return 0;
    }
    qsort(ms, nms, sizeof *ms, cmp_mapsym);
    data = elf_getdata(scn, NULL);
    if (!data || data->d_size != sh->sh_size || !data->d_buf || elf_getdata(scn, data))
        return fail(c, "cannot read section %s: %s", secname, elferr());

    if (ms[nms - 1].off > sh->sh_size)
        return fail(c, "mapping symbol $%c at 0x%llx lies outside section %s", ms[nms - 1].type,
                    (unsigned long long)((c->eh.e_type == ET_REL ? 0 : sh->sh_addr) +
                                         ms[nms - 1].off), secname);
    c->st.unmapped_bytes += ms[0].off;
    for (size_t i = 0; i < nms; i++) {
        uint64_t start = ms[i].off;
        uint64_t end = i + 1 < nms ? ms[i + 1].off : sh->sh_size;
        uint64_t addr = (c->eh.e_type == ET_REL ? 0 : sh->sh_addr) + start;
        if (end == start)
            continue;
        switch (ms[i].type) {
        case 't':
            return fail(c, "Thumb code ($t) in executable section %s at 0x%llx: armvmm cannot "
                        "patch Thumb code; build the guest with -marm", secname,
                        (unsigned long long)addr);
        case 'd':
            c->st.data_words += (end - start) / 4;
            break;
        default:
            if (addr % 4)
                return fail(c, "ARM code ($a) at unaligned address 0x%llx in section %s",
                            (unsigned long long)addr, secname);
            if (scan_code(c, secname, sh, data, start, end) != 0)
                return -1;
            break;
        }
    }
    return 0;
}

static int scan_elf(struct patch_ctx *c, int fd)
{
    struct symtab tab = { 0 };
    struct mapsym *ms = NULL;
    size_t shnum, shstrndx;
    Elf_Scn *scn = NULL;
    int rc = -1;

    if (open_checked(c, fd) != 0 || check_layout(c) != 0 ||
        read_mapping_symbols(c, &tab) != 0)
        goto out;
    elf_getshdrnum(c->elf, &shnum);
    elf_getshdrstrndx(c->elf, &shstrndx);
    ms = calloc(tab.n, sizeof *ms);
    if (!ms) {
        fail(c, "out of memory");
        goto out;
    }
    while ((scn = elf_nextscn(c->elf, scn)) != NULL) {
        GElf_Shdr sh;
        size_t ndx = elf_ndxscn(scn), nms = 0;
        const char *secname;
        if (!gelf_getshdr(scn, &sh)) {
            fail(c, "corrupt section header: %s", elferr());
            goto out;
        }
        if (!(sh.sh_flags & SHF_EXECINSTR) || sh.sh_type != SHT_PROGBITS || sh.sh_size == 0)
            continue;
        secname = elf_strptr(c->elf, shstrndx, sh.sh_name);
        if (!secname)
            secname = "?";
        if (sh.sh_flags & SHF_COMPRESSED) {
            fail(c, "executable section %s is compressed", secname);
            goto out;
        }
        for (size_t i = 0; i < tab.n; i++)
            if (tab.shndx[i] == ndx) {
                ms[nms] = tab.syms[i];
                if (c->eh.e_type != ET_REL) {
                    if (ms[nms].off < sh.sh_addr) {
                        fail(c, "mapping symbol $%c at 0x%llx lies outside section %s",
                             ms[nms].type, (unsigned long long)ms[nms].off, secname);
                        goto out;
                    }
                    ms[nms].off -= sh.sh_addr;
                }
                nms++;
            }
        if (scan_section(c, scn, &sh, secname, ms, nms) != 0)
            goto out;
    }
    if (c->st.sections == 0) {
        fail(c, "no executable sections");
        goto out;
    }
    rc = 0;
out:
    free(ms);
    free(tab.syms);
    free(tab.shndx);
    return rc;
}

static void init_ctx(struct patch_ctx *c, const char *in, bool modify, patch_site_fn fn,
                     void *ctx, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->name = in;
    c->err = err;
    c->errlen = errlen;
    c->modify = modify;
    c->fn = fn;
    c->fnctx = ctx;
    if (err && errlen)
        err[0] = '\0';
}

static int libelf_init(struct patch_ctx *c)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return fail(c, "libelf initialisation failed: %s", elferr());
    return 0;
}

static int open_input(struct patch_ctx *c, const char *path, struct stat *stp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail(c, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (fstat(fd, stp) != 0 || !S_ISREG(stp->st_mode)) {
        fail(c, "not a regular file");
        close(fd);
        return -1;
    }
    c->fsize = (uint64_t)stp->st_size;
    return fd;
}

/* ------------------------------------------------------------------ check */

int patch_check_file(const char *in, struct patch_stats *st, patch_site_fn fn, void *ctx,
                     char *err, size_t errlen)
{
    struct patch_ctx c;
    struct stat sb;
    int fd, rc;

    init_ctx(&c, in, false, fn, ctx, err, errlen);
    if (libelf_init(&c) != 0)
        return -1;
    fd = open_input(&c, in, &sb);
    if (fd < 0)
        return -1;
    rc = scan_elf(&c, fd);
    if (c.elf)
        elf_end(c.elf);
    close(fd);
    if (st)
        *st = c.st;
    if (rc != 0)
        return -1;
    return patch_stats_sensitive(&c.st) || c.st.invalid_proxies ? 1 : 0;
}

/* ------------------------------------------------------------------ patch */

static int copy_fd(struct patch_ctx *c, int from, int to, const char *tmpname)
{
    static char buf[1 << 16];
    if (lseek(from, 0, SEEK_SET) != 0)
        return fail(c, "cannot rewind: %s", strerror(errno));
    for (;;) {
        ssize_t n = read(from, buf, sizeof buf), done = 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail(c, "read error: %s", strerror(errno));
        }
        if (n == 0)
            return 0;
        while (done < n) {
            ssize_t m = write(to, buf + done, (size_t)(n - done));
            if (m < 0) {
                if (errno == EINTR)
                    continue;
                return fail(c, "cannot write %s: %s", tmpname, strerror(errno));
            }
            done += m;
        }
    }
}

static int cmp_rewrite(const void *a, const void *b)
{
    const struct rewrite *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

static int apply_rewrites(struct patch_ctx *c, int fd, const char *tmpname)
{
    for (size_t i = 0; i < c->npatched; i++) {
        unsigned char w[4];
        put_le32(w, c->patched[i].word);
        if (pwrite(fd, w, 4, (off_t)c->patched[i].off) != 4)
            return fail(c, "cannot write %s: %s", tmpname, strerror(errno));
    }
    return 0;
}

/* The output must equal the input except in the rewritten words, which hold their new values. */
static int verify_copy(struct patch_ctx *c, int in, int out)
{
    static unsigned char a[1 << 16], b[1 << 16];
    uint64_t pos = 0;
    size_t k = 0;
    struct stat sb;

    if (fstat(out, &sb) != 0 || (uint64_t)sb.st_size != c->fsize)
        return fail(c, "internal error: the output size differs from the input's");
    while (pos < c->fsize) {
        size_t len = sizeof a;
        if (c->fsize - pos < len)
            len = (size_t)(c->fsize - pos);
        if (pread(in, a, len, (off_t)pos) != (ssize_t)len ||
            pread(out, b, len, (off_t)pos) != (ssize_t)len)
            return fail(c, "cannot re-read for verification: %s", strerror(errno));
        for (size_t i = 0; i < len; i++) {
            uint64_t at = pos + i;
            unsigned char want = a[i];
            while (k < c->npatched && c->patched[k].off + 4 <= at)
                k++;
            if (k < c->npatched && c->patched[k].off <= at)
                want = (unsigned char)(c->patched[k].word >> (8 * (at - c->patched[k].off)));
            if (b[i] != want)
                return fail(c, "internal error: output byte 0x%llx is 0x%02x, expected 0x%02x",
                            (unsigned long long)at, b[i], want);
        }
        pos += len;
    }
    return 0;
}

static int make_temp(struct patch_ctx *c, const char *out, char **tmpname)
{
    const char *slash = strrchr(out, '/');
    const char *base = slash ? slash + 1 : out;
    int dirlen = slash ? (int)(slash - out) + 1 : 0;
    size_t len = strlen(out) + 32;
    char *t = malloc(len);
    int fd;

    if (!t)
        return fail(c, "out of memory");
    if (*base == '\0') {
        free(t);
        return fail(c, "output path %s names a directory", out);
    }
    snprintf(t, len, "%.*s.%s.XXXXXX", dirlen, out, base);
    fd = mkostemp(t, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(t);
        c->name = out;
        return fail(c, "cannot create the output file: %s", strerror(e));
    }
    *tmpname = t;
    return fd;
}

int patch_elf_file_sites(const char *in, const char *out, struct patch_stats *st,
                         patch_site_fn fn, void *ctx, char *err, size_t errlen)
{
    struct patch_ctx c;
    struct stat sb;
    char *tmpname = NULL;
    int ifd = -1, tfd = -1, rc = -1;

    init_ctx(&c, in, true, fn, ctx, err, errlen);
    if (!out || !*out) {
        fail(&c, "no output file given");
        return -1;
    }
    if (libelf_init(&c) != 0)
        return -1;
    ifd = open_input(&c, in, &sb);
    if (ifd < 0)
        return -1;
    /* 1. read and decide: every error about the input is found before any file is created */
    if (scan_elf(&c, ifd) != 0)
        goto out;
    elf_end(c.elf);
    c.elf = NULL;
    if (c.npatched)
        qsort(c.patched, c.npatched, sizeof *c.patched, cmp_rewrite);
    for (size_t i = 1; i < c.npatched; i++)
        if (c.patched[i].off < c.patched[i - 1].off + 4) {
            fail(&c, "sections overlap in the file at offset 0x%llx: refusing to patch",
                 (unsigned long long)c.patched[i].off);
            goto out;
        }
    /* 2. write a copy with the rewritten words next to OUT, check it, rename it to OUT */
    tfd = make_temp(&c, out, &tmpname);
    if (tfd < 0)
        goto out;
    if (copy_fd(&c, ifd, tfd, tmpname) != 0 || apply_rewrites(&c, tfd, tmpname) != 0 ||
        verify_copy(&c, ifd, tfd) != 0)
        goto out;
    if (fchmod(tfd, sb.st_mode & 07777) != 0 || fsync(tfd) != 0) {
        c.name = out;
        fail(&c, "cannot finish the output file: %s", strerror(errno));
        goto out;
    }
    if (close(tfd) != 0) {
        tfd = -1;
        c.name = out;
        fail(&c, "cannot write the output file: %s", strerror(errno));
        goto out;
    }
    tfd = -1;
    if (rename(tmpname, out) != 0) {
        c.name = out;
        fail(&c, "cannot create the output file: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (c.elf)
        elf_end(c.elf);
    if (tfd >= 0)
        close(tfd);
    if (rc != 0 && tmpname)
        unlink(tmpname);
    free(tmpname);
    free(c.patched);
    close(ifd);
    if (st)
        *st = c.st;
    return rc;
}

int patch_elf_file(const char *in, const char *out, struct patch_stats *st,
                   char *err, size_t errlen)
{
    return patch_elf_file_sites(in, out, st, NULL, NULL, err, errlen);
}

/* ------------------------------------------------------------------ CLI */

static void usage(FILE *f)
{
    fprintf(f,
        "usage: armvmm patch [-q] IN.elf -o OUT.elf\n"
        "       armvmm patch --check IN.elf\n"
        "Rewrites every ARM-state MRS/MSR on the CPSR (sensitive, but not trapping in User mode)\n"
        "into the armvmm proxy encoding (docs/PATCHER.md).  Code and data are told apart by the\n"
        "ARM mapping symbols ($a/$d/$t): do not strip the input.\n"
        "  -o, --output FILE  write the patched image to FILE (may equal IN.elf)\n"
        "  --check            list unpatched sites and invalid proxies; exit 1 if any\n"
        "  -q, --quiet        patch: print nothing on success\n"
        "exit status: 0 ok, 1 --check found sites, 2 error\n");
}

struct cli_ctx {
    bool check;
    unsigned long unpred_shown;
};

static void cli_site(const struct patch_site *s, void *vctx)
{
    struct cli_ctx *x = vctx;
    char txt[96];
    if (s->kind == PATCH_SITE_PROXY || s->kind == PATCH_SITE_VIRTUAL_STATE)
        return;   /* already patched, or trapping by itself: nothing to say */
    if (s->kind == PATCH_SITE_UNPREDICTABLE) {
        if (x->unpred_shown++ < 20)
            fprintf(x->check ? stdout : stderr,
                    "%s0x%08x %s+0x%x: %08x %s (UNDEFINED on the ARM926 as QEMU models it; "
                    "left alone)\n", x->check ? "  note: " : "armvmm patch: note: ",
                    (unsigned)s->addr, s->section, (unsigned)s->sec_offset, (unsigned)s->word,
                    patch_format_word(s->word, txt, sizeof txt));
        return;
    }
    if (!x->check)
        return;
    printf("  0x%08x %s+0x%x: %08x  %-28s [%s]\n", (unsigned)s->addr, s->section,
           (unsigned)s->sec_offset, (unsigned)s->word,
           patch_format_word(s->word, txt, sizeof txt),
           s->kind == PATCH_SITE_INVALID_PROXY ? "invalid proxy" : "unpatched");
}

static void print_counts(const struct patch_stats *st, const char *verb)
{
    printf("  %-26s %8lu\n", "mrs Rd, cpsr", st->mrs_cpsr);
    printf("  %-26s %8lu\n", "msr cpsr_<fields>, Rm", st->msr_cpsr_reg);
    printf("  %-26s %8lu\n", "msr cpsr_<fields>, #imm", st->msr_cpsr_imm);
    printf("  %-26s %8lu\n", verb, patch_stats_sensitive(st));
    printf("  %-26s %8lu\n", "proxies already present", st->proxies);
    if (st->invalid_proxies)
        printf("  %-26s %8lu\n", "invalid proxies", st->invalid_proxies);
    if (st->unpredictable)
        printf("  %-26s %8lu\n", "unpredictable (left)", st->unpredictable);
    printf("  scanned %lu executable section(s): %lu code words, %lu data words skipped",
           st->sections, st->code_words, st->data_words);
    if (st->unmapped_bytes)
        printf(", %lu bytes without mapping symbol (data)", st->unmapped_bytes);
    printf("\n");
}

int cmd_patch(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    bool check = false, quiet = false, opts = true;
    struct patch_stats st;
    struct cli_ctx x = { 0 };
    char err[512];
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
            usage(stdout);
            return 0;
        } else if (opts && !strcmp(a, "--check")) {
            check = true;
        } else if (opts && (!strcmp(a, "-q") || !strcmp(a, "--quiet"))) {
            quiet = true;
        } else if (opts && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
            if (i + 1 >= argc || out) {
                fprintf(stderr, "armvmm patch: %s\n", out ? "-o given twice" : "-o needs a file");
                usage(stderr);
                return 2;
            }
            out = argv[++i];
        } else if (opts && !strncmp(a, "--output=", 9) && !out) {
            out = a + 9;
        } else if (opts && !strcmp(a, "--")) {
            opts = false;
        } else if (opts && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "armvmm patch: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (!in) {
            in = a;
        } else {
            fprintf(stderr, "armvmm patch: more than one input file (%s, %s)\n", in, a);
            usage(stderr);
            return 2;
        }
    }
    if (!in || (check && out) || (!check && (!out || !*out))) {
        fprintf(stderr, "armvmm patch: %s\n",
                !in ? "no input file" : check ? "--check takes no -o"
                                              : "no output file (-o OUT.elf)");
        usage(stderr);
        return 2;
    }

    x.check = check;
    if (check) {
        rc = patch_check_file(in, &st, cli_site, &x, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "armvmm patch: %s\n", err);
            return 2;
        }
        printf("armvmm patch --check: %s\n", in);
        print_counts(&st, "unpatched sites");
        if (rc)
            printf("FAIL: %lu unpatched sensitive instruction(s), %lu invalid proxy word(s)\n",
                   patch_stats_sensitive(&st), st.invalid_proxies);
        else
            printf("OK: no unpatched sensitive instruction\n");
        return rc ? 1 : 0;
    }
    rc = patch_elf_file_sites(in, out, &st, cli_site, &x, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "armvmm patch: %s\n", err);
        return 2;
    }
    if (!quiet) {
        printf("armvmm patch: %s -> %s\n", in, out);
        print_counts(&st, "rewritten");
    }
    return 0;
}
