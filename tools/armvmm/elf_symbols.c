#include "elf_symbols.h"

#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool elf_symbol_value(Elf *elf, const char *name, uint32_t *value)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        Elf_Data *data;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
            continue;
        if (!(data = elf_getdata(scn, NULL)))
            continue;
        for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
            GElf_Sym sym;
            const char *n;
            if (gelf_getsym(data, (int)i, &sym) &&
                (n = elf_strptr(elf, sh.sh_link, sym.st_name)) && !strcmp(n, name)) {
                *value = (uint32_t)sym.st_value;
                return true;
            }
        }
    }
    return false;
}

/* The ELF file at path, open (*fd too), or NULL. */
static Elf *file_open(const char *path, int *fd)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return NULL;
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(*fd, ELF_C_READ, NULL);
    if (elf && elf_kind(elf) == ELF_K_ELF)
        return elf;
    elf_end(elf);
    close(*fd);
    return NULL;
}

static void file_close(Elf *elf, int fd)
{
    elf_end(elf);
    close(fd);
}

bool elf_file_symbol_value(const char *path, const char *name, uint32_t *value)
{
    int fd;
    Elf *elf = file_open(path, &fd);
    bool found = elf && elf_symbol_value(elf, name, value);
    if (elf)
        file_close(elf, fd);
    return found;
}

static void *section_copy(Elf *elf, const char *name, size_t *size)
{
    size_t shstrndx;
    Elf_Scn *scn = NULL;
    if (elf_getshdrstrndx(elf, &shstrndx))
        return NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        const char *n;
        Elf_Data *data;
        if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(elf, shstrndx, sh.sh_name)) ||
            strcmp(n, name) || sh.sh_type != SHT_PROGBITS || !(data = elf_getdata(scn, NULL)) ||
            !data->d_buf || !data->d_size)
            continue;
        void *copy = malloc(data->d_size);
        if (copy) {
            memcpy(copy, data->d_buf, data->d_size);
            *size = data->d_size;
        }
        return copy;
    }
    return NULL;
}

void *elf_file_section(const char *path, const char *name, size_t *size)
{
    int fd;
    Elf *elf = file_open(path, &fd);
    void *copy = elf ? section_copy(elf, name, size) : NULL;
    if (elf)
        file_close(elf, fd);
    return copy;
}
