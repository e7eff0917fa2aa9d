/* The host tools' error convention: a function that fails writes one human-readable sentence
 * into the caller's buffer and returns -1. */
#ifndef ARMVMM_ERRMSG_H
#define ARMVMM_ERRMSG_H

#include <stddef.h>

int errmsg(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
