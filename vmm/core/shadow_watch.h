/* Write-watched guest tables: shadow tables kept across guest TLB flushes without reading the
 * guest's tables again.
 *
 * A coarse table of the shadow that a flush keeps (the kernel's, or a parked address space's)
 * must lose every entry whose guest descriptor changed, so shadow.c reads the guest table it was
 * made from again, entry by entry, at each flush: at a guest context switch, ~80 entries.  That
 * is not needed when nothing could have written the guest page holding that table since the
 * last time: the page is *watched*.
 *
 * - A watched page has no writable real mapping: coarse entries of the shadow map it read-only
 *   (the window's and megabyte 0's, in the VMM's always-Client domain; in a pool table, whose
 *   real domain may turn Manager, a mapping ends the watch instead), and a real section over
 *   its megabyte is split into a table of small pages (PAGE_SPLIT,
 *   vdomain.h) where only the watched pages are read-only.  Linux reaches its page tables
 *   through its linear map, sections of its kernel domain (Client, and Manager at times); a
 *   split stands for a section whose pages are all writable (real AP User RW) in one of those.
 * - The first write to it (a guest store, faulting; or the VMM's own, which tells
 *   watch_note_write) ends the watch: the tables made from it are read again at the next flush,
 *   which then watches the page again.
 * - Capacity is small (SHADOW_WATCH_MAX pages, SHADOW_SPLITS splits): without a watch, a table
 *   is read again at every flush, as before. */
#ifndef ARMVMM_SHADOW_WATCH_H
#define ARMVMM_SHADOW_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "shadow.h"
#include "vdomain.h"

struct vm;

/* Whether the flush may keep table id, made under guest L1 descriptor from, without reading
 * its entries again. */
static inline bool watch_clean(const struct shadow *s, unsigned id, uint32_t from)
{
    return s->clean_from[id] == from;   /* (from: a coarse table's descriptor, never 0) */
}
/* Table id's entries, made under from, were just read again: watches its guest table's page
 * (inside a flush: the TLB flush at its end covers the mappings made read-only). */
void watch_table(struct vm *vm, unsigned id, uint32_t from);
/* Table id was emptied. */
void watch_forget_table(struct vm *vm, unsigned id);
/* What shadow_walk_gen() said of table id's walks no longer holds (a TLB flush by MVA there:
 * the guest may have changed the L1 descriptor of that page alone): a new generation. */
void watch_renew(struct vm *vm, unsigned id);
/* Every watch ends (a flush that keeps nothing). */
void watch_end_all(struct vm *vm);

/* Guest-physical [gpa, gpa + bytes) is written (by the VMM, or a guest store the shadow is
 * about to allow): the watches there end. */
void watch_note_write(struct vm *vm, uint32_t gpa, uint32_t bytes);
/* Whether guest page gpa is watched: a real mapping of it must be read-only. */
bool watch_is(const struct vm *vm, uint32_t gpa);
/* A coarse entry of the shadow maps guest page gpa writable (a later watch removes it). */
void watch_note_mapped(struct vm *vm, uint32_t gpa);

/* The real L1 entry for a guest section over RAM megabyte mb at slot, in guest domain gdom
 * (Client or Manager: usable), of page class cls and real AP ap: a split if the megabyte has
 * watched pages or slot had a split (true); else nothing is done (false: the caller puts the
 * real section, and the watches there have ended). */
bool watch_map_section(struct vm *vm, unsigned slot, uint32_t mb, unsigned gdom,
                       enum page_class cls, unsigned ap, bool usable);
/* Slot's entry goes: its split, if it had one, is free again (true). */
bool watch_drop_split(struct vm *vm, unsigned slot);

#endif
