#include "log.h"

#include <stdarg.h>

#include "fmt.h"
#include "semihost.h"

#define LOG_LINE_MAX 160

struct line {
    char buf[LOG_LINE_MAX + 1];
    unsigned len;
};

static void line_flush(struct line *l)
{
    l->buf[l->len] = '\0';
    if (l->len)
        semihost_write0(l->buf);
    l->len = 0;
}

static void line_putc(char c, void *ctx)
{
    struct line *l = ctx;
    l->buf[l->len++] = c;
    if (c == '\n' || l->len == LOG_LINE_MAX)
        line_flush(l);
}

void log_printf(const char *fmt, ...)
{
    struct line l = { .len = 0 };
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(line_putc, &l, fmt, ap);
    va_end(ap);
    line_flush(&l);
}
