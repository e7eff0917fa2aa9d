/* Symbol lookup in a guest ELF (libelf). */
#ifndef ARMVMM_ELF_SYMBOLS_H
#define ARMVMM_ELF_SYMBOLS_H

#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>

/* The value of the first symbol called name in elf's symbol tables; false if there is none. */
bool elf_symbol_value(Elf *elf, const char *name, uint32_t *value);

/* The same for the ELF file at path; false also when it cannot be read. */
bool elf_file_symbol_value(const char *path, const char *name, uint32_t *value);

#endif
