#include "guest_image.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"

static int check_header(Elf *elf, const char *path, GElf_Ehdr *eh, char *err, size_t errlen)
{
    const char *ident;

    if (elf_kind(elf) != ELF_K_ELF)
        return errmsg(err, errlen, "%s: not an ELF file", path);
    ident = elf_getident(elf, NULL);
    if (!ident || ident[EI_CLASS] != ELFCLASS32 || ident[EI_DATA] != ELFDATA2LSB)
        return errmsg(err, errlen, "%s: not a 32-bit little-endian ELF", path);
    if (!gelf_getehdr(elf, eh))
        return errmsg(err, errlen, "%s: corrupt ELF header (%s)", path, elf_errmsg(-1));
    if (eh->e_machine != EM_ARM)
        return errmsg(err, errlen, "%s: not an ARM ELF (e_machine %u)", path, eh->e_machine);
    if (eh->e_type != ET_EXEC)
        return errmsg(err, errlen, "%s: not an executable ELF (e_type %u)", path, eh->e_type);
    return 0;
}

static int add_segment(const GElf_Phdr *ph, size_t file_size, uint32_t ram_size,
                       uint32_t load_offset, struct guest_image *img, const char *path,
                       char *err, size_t errlen)
{
    if (ph->p_filesz > ph->p_memsz || ph->p_offset > file_size ||
        ph->p_filesz > file_size - ph->p_offset)
        return errmsg(err, errlen, "%s: corrupt program header (segment data outside the file)",
                    path);
    if (ph->p_paddr < load_offset || (uint64_t)ph->p_paddr - load_offset + ph->p_memsz > ram_size)
        return errmsg(err, errlen,
                    "%s: segment at 0x%08llx-0x%08llx is outside the VM's %u MB of RAM%s", path,
                    (unsigned long long)ph->p_paddr,
                    (unsigned long long)(ph->p_paddr + ph->p_memsz - 1), ram_size >> 20,
                    load_offset ? " (after moving it down by PAGE_OFFSET)" : "");
    if (img->nr_segments == GUEST_MAX_SEGMENTS)
        return errmsg(err, errlen, "%s: more than %d loadable segments", path, GUEST_MAX_SEGMENTS);
    img->seg[img->nr_segments++] = (struct guest_segment){
        .gpa = (uint32_t)(ph->p_paddr - load_offset),
        .filesz = (uint32_t)ph->p_filesz,
        .memsz = (uint32_t)ph->p_memsz,
        .offset = ph->p_offset,
    };
    return 0;
}

static bool entry_is_loaded(const struct guest_image *img)
{
    for (unsigned i = 0; i < img->nr_segments; i++)
        if (img->entry >= img->seg[i].gpa && img->entry - img->seg[i].gpa < img->seg[i].filesz)
            return true;
    return false;
}

static int load_elf(Elf *elf, const char *path, uint32_t ram_size, uint32_t load_offset,
                    struct guest_image *img, char *err, size_t errlen)
{
    GElf_Ehdr eh;
    size_t nphdr, file_size;

    if (check_header(elf, path, &eh, err, errlen))
        return -1;
    if (!elf_rawfile(elf, &file_size) || elf_getphdrnum(elf, &nphdr))
        return errmsg(err, errlen, "%s: corrupt ELF program headers (%s)", path, elf_errmsg(-1));
    *img = (struct guest_image){ .entry = (uint32_t)(eh.e_entry - load_offset) };
    for (size_t i = 0; i < nphdr; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph))
            return errmsg(err, errlen, "%s: corrupt program header %zu (%s)", path, i,
                        elf_errmsg(-1));
        if (ph.p_type == PT_LOAD && ph.p_memsz &&
            add_segment(&ph, file_size, ram_size, load_offset, img, path, err, errlen))
            return -1;
    }
    if (img->nr_segments == 0)
        return errmsg(err, errlen, "%s: no loadable segments", path);
    if (!entry_is_loaded(img))
        return errmsg(err, errlen, "%s: entry point 0x%08x is not in a loaded segment", path,
                    img->entry);
    return 0;
}

uint32_t guest_image_end(const struct guest_image *img)
{
    uint32_t end = 0;
    for (unsigned i = 0; i < img->nr_segments; i++)
        if (img->seg[i].gpa + img->seg[i].memsz > end)
            end = img->seg[i].gpa + img->seg[i].memsz;
    return end;
}

int guest_image_load(const char *path, uint32_t ram_size, uint32_t load_offset,
                     struct guest_image *img, char *err, size_t errlen)
{
    int fd, rc;
    Elf *elf;

    if (elf_version(EV_CURRENT) == EV_NONE)
        return errmsg(err, errlen, "libelf: %s", elf_errmsg(-1));
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return errmsg(err, errlen, "%s: %s", path, strerror(errno));
    elf = elf_begin(fd, ELF_C_READ, NULL);
    if (!elf) {
        close(fd);
        return errmsg(err, errlen, "%s: cannot read as ELF (%s)", path, elf_errmsg(-1));
    }
    rc = load_elf(elf, path, ram_size, load_offset, img, err, errlen);
    elf_end(elf);
    close(fd);
    return rc;
}

int guest_image_extract(const char *path, const struct guest_segment *seg, const char *out_path,
                        guest_image_fixup fixup, void *ctx, char *err, size_t errlen)
{
    FILE *in = fopen(path, "rb"), *out = NULL;
    uint8_t buf[65536];
    uint32_t left = seg->filesz;
    int rc = -1;

    if (!in || fseeko(in, (off_t)seg->offset, SEEK_SET))
        goto done;
    out = fopen(out_path, "wb");
    if (!out)
        goto done;
    while (left) {
        size_t n = left < sizeof(buf) ? left : sizeof(buf);
        if (fread(buf, 1, n, in) != n)
            goto done;
        if (fixup)
            fixup(ctx, seg->offset + (seg->filesz - left), buf, n);
        if (fwrite(buf, 1, n, out) != n)
            goto done;
        left -= (uint32_t)n;
    }
    rc = 0;
done:
    if (rc)
        errmsg(err, errlen, "%s: cannot extract a segment to %s: %s", path, out_path,
             strerror(errno ? errno : EIO));
    if (out && fclose(out))
        rc = errmsg(err, errlen, "%s: %s", out_path, strerror(errno));
    if (in)
        fclose(in);
    return rc;
}
