/* A guest ELF image as `armvmm run` loads it: validated with libelf, segments placed at their
 * physical addresses in guest-physical RAM (as QEMU's -kernel does on this board). */
#ifndef ARMVMM_GUEST_IMAGE_H
#define ARMVMM_GUEST_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_MAX_SEGMENTS 16

struct guest_segment {
    uint32_t gpa;        /* guest-physical load address */
    uint32_t filesz;     /* bytes taken from the file ... */
    uint32_t memsz;      /* ... the rest up to memsz is zero */
    uint64_t offset;     /* file offset of the data */
};

struct guest_image {
    uint32_t entry;      /* guest-physical entry point */
    unsigned nr_segments;
    struct guest_segment seg[GUEST_MAX_SEGMENTS];
};

/* Loads and checks path for a VM with ram_size bytes of RAM at guest-physical 0, each segment
 * (and the entry) moved down by load_offset (PAGE_OFFSET for a Linux vmlinux, else 0).  On
 * failure returns -1 with one human-readable sentence in err. */
int guest_image_load(const char *path, uint32_t ram_size, uint32_t load_offset,
                     struct guest_image *img, char *err, size_t errlen);

/* First guest-physical byte after every segment. */
uint32_t guest_image_end(const struct guest_image *img);

/* Called on each chunk of a segment's bytes before it is written (buf holds len bytes from
 * file_offset of the image file): a chance to change them in the copy. */
typedef void (*guest_image_fixup)(void *ctx, uint64_t file_offset, uint8_t *buf, size_t len);

/* Writes segment seg's file bytes of the image at path to out_path, through fixup (if not
 * NULL); -1 with err on failure. */
int guest_image_extract(const char *path, const struct guest_segment *seg, const char *out_path,
                        guest_image_fixup fixup, void *ctx, char *err, size_t errlen);

#endif
