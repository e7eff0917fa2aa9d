#include "patch_cache.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "patch.h"

/* Bump when the patcher's output for a given input changes, so old cache entries are not used. */
#define PATCH_CACHE_VERSION "proxy-v2"

/* FNV-1a, 64 bit: a cache key, not a security boundary (the cache is the user's own). */
static int hash_file(const char *path, uint64_t *out)
{
    FILE *f = fopen(path, "rb");
    unsigned char buf[65536];
    uint64_t h = 0xcbf29ce484222325ull;
    size_t n;

    if (!f)
        return -1;
    for (const char *v = PATCH_CACHE_VERSION; *v; v++)
        h = (h ^ (unsigned char)*v) * 0x100000001b3ull;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        for (size_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 0x100000001b3ull;
    int bad = ferror(f);
    fclose(f);
    *out = h;
    return bad ? -1 : 0;
}

static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

static void cache_dir(char *out, size_t len)
{
    const char *c = getenv("ARMVMM_CACHE"), *home = getenv("HOME");
    if (c && *c)
        snprintf(out, len, "%s/patched", c);
    else
        snprintf(out, len, "%s/.cache/armvmm/patched", home && *home ? home : "/tmp");
}

int patch_cache_get(const char *in, char *out, size_t outlen, char *err, size_t errlen)
{
    char dir[4096];
    uint64_t h;
    struct patch_stats st;

    if (hash_file(in, &h)) {
        snprintf(err, errlen, "%s: %s", in, strerror(errno));
        return -1;
    }
    cache_dir(dir, sizeof(dir));
    if (make_dirs(dir)) {
        snprintf(err, errlen, "cannot create the patch cache %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(out, outlen, "%s/%016llx.elf", dir, (unsigned long long)h);
    if (access(out, R_OK) == 0)
        return 0;
    if (patch_elf_file(in, out, &st, err, errlen))
        return -1;
    if (patch_stats_sensitive(&st))
        fprintf(stderr, "armvmm: patched %lu sensitive instructions of %s\n",
                patch_stats_sensitive(&st), in);
    return 0;
}
