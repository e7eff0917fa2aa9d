/* `armvmm run` patches guests automatically: the patched image is kept in a cache outside the
 * tree, keyed by a hash of the input's bytes, so users pass ordinary, unmodified ELF files. */
#ifndef ARMVMM_PATCH_CACHE_H
#define ARMVMM_PATCH_CACHE_H

#include <stddef.h>

/* Finds or makes the patched copy of in; writes its path to out.  -1 with err on failure. */
int patch_cache_get(const char *in, char *out, size_t outlen, char *err, size_t errlen);

#endif
