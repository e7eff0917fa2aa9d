#include "elf_symbols.h"

#include <fcntl.h>
#include <gelf.h>
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

bool elf_file_symbol_value(const char *path, const char *name, uint32_t *value)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool found = false;
    if (fd < 0)
        return false;
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    if (elf && elf_kind(elf) == ELF_K_ELF)
        found = elf_symbol_value(elf, name, value);
    elf_end(elf);
    close(fd);
    return found;
}
