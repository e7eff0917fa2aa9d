/* Whole-file output for the host tools, with their error convention (errmsg.h). */
#ifndef ARMVMM_FILE_IO_H
#define ARMVMM_FILE_IO_H

#include <stddef.h>

/* Writes len bytes of data to path (created or truncated): 0, or -1 with "PATH: cannot write:
 * REASON" in err. */
int file_write(const char *path, const void *data, size_t len, char *err, size_t errlen);

#endif
