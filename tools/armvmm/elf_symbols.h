/* Symbol and section lookup in a guest ELF (libelf). */
#ifndef ARMVMM_ELF_SYMBOLS_H
#define ARMVMM_ELF_SYMBOLS_H

#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>

/* The value of the first symbol called name in elf's symbol tables; false if there is none. */
bool elf_symbol_value(Elf *elf, const char *name, uint32_t *value);

/* The same for the ELF file at path; false also when it cannot be read. */
bool elf_file_symbol_value(const char *path, const char *name, uint32_t *value);

/* A copy (malloc'ed, *size bytes) of the contents of the section called name of the ELF file at
 * path; NULL if there is none or it cannot be read. */
void *elf_file_section(const char *path, const char *name, size_t *size);

#endif
