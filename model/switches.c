// SPDX-License-Identifier: MIT
/*
 * The model switches of the current run (include/hmmsim/switches.h).  All
 * off: the baseline kernel.  A test or the command line turns one on to get
 * the behaviour of the kernel before the fix it names.
 */
#include <hmmsim/switches.h>

struct hs_switches hs_switch;
