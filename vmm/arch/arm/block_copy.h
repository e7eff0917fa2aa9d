/* Word copies and fills, eight registers a turn (block_copy.S); bytes a multiple of 4. */
#ifndef ARMVMM_BLOCK_COPY_H
#define ARMVMM_BLOCK_COPY_H

#include <stdint.h>

void arch_copy_words(uint32_t *dst, const uint32_t *src, uint32_t bytes);
/* dst := pattern[0..7], again and again (a partial last turn takes the pattern's first words). */
void arch_fill_words(uint32_t *dst, const uint32_t pattern[8], uint32_t bytes);

#endif
