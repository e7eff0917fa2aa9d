/* A guest's block loop (cache_batch.h: its page copy or clear, a line operation per line) done by
 * the VMM in one go, after the loop's first line operation trapped. */
#ifndef ARMVMM_GUEST_BLOCK_H
#define ARMVMM_GUEST_BLOCK_H

#include <stdbool.h>

#include "cache_batch.h"

struct vcpu;

/* The loop's stores and loads (b) as the running vCPU would make them, all of them; false, with
 * nothing changed, when any of its accesses would not simply hit this VM's RAM (a fault, a
 * device) or the two ranges share a page: the guest then runs the loop itself. */
bool guest_block_run(struct vcpu *v, struct cache_batch_block *b);

#endif
