#include "fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct sink {
    fmt_putc_fn out;
    void *ctx;
    int count;
};

static void emit(struct sink *s, char c)
{
    s->out(c, s->ctx);
    s->count++;
}

struct spec {
    unsigned width;
    char pad;
    bool left;
};

static void emit_number(struct sink *s, uint32_t v, unsigned base, bool upper, bool negative,
                        struct spec sp)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[12];
    unsigned n = 0;

    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (negative)
        buf[n++] = '-';
    unsigned len = n;
    for (unsigned i = len; !sp.left && i < sp.width; i++)
        emit(s, sp.pad);
    while (n)
        emit(s, buf[--n]);
    for (unsigned i = len; sp.left && i < sp.width; i++)
        emit(s, ' ');
}

int fmt_vformat(fmt_putc_fn out, void *ctx, const char *fmt, va_list ap)
{
    struct sink s = { out, ctx, 0 };

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(&s, *fmt);
            continue;
        }
        fmt++;
        struct spec sp = { 0, ' ', false };
        if (*fmt == '-')
            sp.left = true, fmt++;
        if (*fmt == '0')
            sp.pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            sp.width = sp.width * 10 + (unsigned)(*fmt++ - '0');
        while (*fmt == 'l')
            fmt++;
        switch (*fmt) {
        case 'd': {
            int32_t v = va_arg(ap, int32_t);
            emit_number(&s, v < 0 ? 0u - (uint32_t)v : (uint32_t)v, 10, false, v < 0, sp);
            break;
        }
        case 'u':
            emit_number(&s, va_arg(ap, uint32_t), 10, false, false, sp);
            break;
        case 'x':
        case 'X':
            emit_number(&s, va_arg(ap, uint32_t), 16, *fmt == 'X', false, sp);
            break;
        case 'p':
            emit(&s, '0');
            emit(&s, 'x');
            emit_number(&s, (uint32_t)(uintptr_t)va_arg(ap, void *), 16, false, false,
                        (struct spec){ 8, '0', false });
            break;
        case 'c':
            emit(&s, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            unsigned len = 0;
            for (const char *p = str ? str : "(null)"; *p; p++, len++)
                ;
            for (unsigned i = len; !sp.left && i < sp.width; i++)
                emit(&s, ' ');
            for (const char *p = str ? str : "(null)"; *p; p++)
                emit(&s, *p);
            for (unsigned i = len; sp.left && i < sp.width; i++)
                emit(&s, ' ');
            break;
        }
        case '%':
            emit(&s, '%');
            break;
        case '\0':
            return s.count;
        default:
            emit(&s, '%');
            emit(&s, *fmt);
            break;
        }
    }
    return s.count;
}

struct bounded {
    char *buf;
    size_t size, len;
};

static void bounded_putc(char c, void *ctx)
{
    struct bounded *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len++] = c;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct bounded b = { buf, size, 0 };
    int n = fmt_vformat(bounded_putc, &b, fmt, ap);
    if (size)
        buf[b.len] = '\0';
    return n;
}
