#include "file_io.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"

int file_write(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    bool bad = !f || fwrite(data, 1, len, f) != len;
    if (f && fclose(f))
        bad = true;
    return bad ? errmsg(err, errlen, "%s: cannot write: %s", path, strerror(errno ? errno : EIO))
               : 0;
}
