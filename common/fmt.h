/* A tiny printf engine, freestanding, shared by the VMM's log and the bare-metal test guests.
 * Supports %s %c %d %u %x %X %p %% with optional '-' (left-align) and '0' flags and a width. */
#ifndef ARMVMM_FMT_H
#define ARMVMM_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_putc_fn)(char c, void *ctx);

/* Returns the number of characters emitted. */
int fmt_vformat(fmt_putc_fn out, void *ctx, const char *fmt, va_list ap);

/* Formats into buf (always NUL-terminated when size > 0, truncated if needed). */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
