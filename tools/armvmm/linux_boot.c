#include "linux_boot.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_symbols.h"
#include "errmsg.h"
#include "file_io.h"

#define ZIMAGE_MAGIC_OFFSET 0x24
#define ZIMAGE_MAGIC        0x016f2818u

static bool is_zimage(int fd)
{
    uint32_t magic = 0;
    return pread(fd, &magic, 4, ZIMAGE_MAGIC_OFFSET) == 4 && magic == ZIMAGE_MAGIC;
}

int linux_classify(const char *path, enum guest_kind *kind, char *err, size_t errlen)
{
    GElf_Ehdr eh;
    uint32_t banner;
    int fd = open(path, O_RDONLY);
    Elf *elf;

    *kind = GUEST_BAREMETAL;
    if (fd < 0)
        return errmsg(err, errlen, "%s: %s", path, strerror(errno));
    if (is_zimage(fd)) {
        close(fd);
        return errmsg(err, errlen,
                    "%s is a zImage, which cannot be patched: give the vmlinux of the same "
                    "build (the ELF file in the kernel build directory)", path);
    }
    elf_version(EV_CURRENT);
    elf = elf_begin(fd, ELF_C_READ, NULL);
    if (elf && elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh) &&
        eh.e_entry >= LINUX_PAGE_OFFSET && elf_symbol_value(elf, "linux_banner", &banner))
        *kind = GUEST_LINUX;
    elf_end(elf);
    close(fd);
    return 0;
}

static void *read_whole(const char *path, size_t extra, size_t *len)
{
    FILE *f = fopen(path, "rb");
    void *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = calloc(1, (size_t)n + extra)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
        *len = (size_t)n;
    else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int fdt_fill(void *fdt, const struct board_dtb_params *p)
{
    int mem = fdt_path_offset(fdt, "/memory"), chosen = fdt_path_offset(fdt, "/chosen"), rc;

    if (mem < 0 && (mem = fdt_add_subnode(fdt, 0, "memory")) < 0)
        return mem;
    if ((rc = fdt_setprop_string(fdt, mem, "device_type", "memory")) ||
        (rc = fdt_setprop_u32(fdt, mem, "reg", 0)) ||
        (rc = fdt_appendprop_u32(fdt, mem, "reg", p->ram_size)))
        return rc;
    if (chosen < 0 && (chosen = fdt_add_subnode(fdt, 0, "chosen")) < 0)
        return chosen;
    if (p->bootargs && (rc = fdt_setprop_string(fdt, chosen, "bootargs", p->bootargs)))
        return rc;
    if (p->initrd_size &&
        ((rc = fdt_setprop_u32(fdt, chosen, "linux,initrd-start", p->initrd_gpa)) ||
         (rc = fdt_setprop_u32(fdt, chosen, "linux,initrd-end",
                               p->initrd_gpa + p->initrd_size))))
        return rc;
    if (p->reserve_size && (rc = fdt_add_mem_rsv(fdt, p->reserve_gpa, p->reserve_size)))
        return rc;
    return fdt_pack(fdt);
}

int linux_prepare_dtb(const char *dtb_in, const char *dtb_out, const struct board_dtb_params *p,
                      uint32_t *size, char *err, size_t errlen)
{
    size_t len = 0, room = 4096 + (p->bootargs ? strlen(p->bootargs) : 0);
    void *fdt = read_whole(dtb_in, room, &len);
    int rc;

    if (!fdt)
        return errmsg(err, errlen, "%s: cannot read: %s", dtb_in, strerror(errno ? errno : EIO));
    if (len < sizeof(struct fdt_header) || fdt_check_header(fdt) || fdt_totalsize(fdt) > len) {
        free(fdt);
        return errmsg(err, errlen, "%s: not a flattened device tree (DTB)", dtb_in);
    }
    if ((rc = fdt_open_into(fdt, fdt, (int)(len + room))) ||
        (rc = fdt_fill(fdt, p))) {
        free(fdt);
        return errmsg(err, errlen, "%s: cannot update the device tree: %s", dtb_in,
                    fdt_strerror(rc));
    }
    *size = fdt_totalsize(fdt);
    rc = file_write(dtb_out, fdt, *size, err, errlen);
    free(fdt);
    return rc;
}
