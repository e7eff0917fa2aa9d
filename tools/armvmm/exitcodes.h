/* Exit statuses of the armvmm command besides the guest's own (README, "Exit status"). */
#ifndef ARMVMM_EXITCODES_H
#define ARMVMM_EXITCODES_H

#include "bootinfo.h"

#define ARMVMM_EXIT_NOT_STARTED  2     /* bad command line or input: nothing was started */
#define ARMVMM_EXIT_TIMEOUT      124   /* --timeout expired */
/* EXIT_VM_STOPPED (125) and EXIT_VMM_PANIC (126) come from the VMM, see bootinfo.h. */

#endif
