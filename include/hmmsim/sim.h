/* SPDX-License-Identifier: MIT */
/* hmmsim: the whole primitive API in one include. */
#ifndef HMMSIM_SIM_H
#define HMMSIM_SIM_H

#include <hmmsim/atomic.h>
#include <hmmsim/lock.h>
#include <hmmsim/rcu.h>
#include <hmmsim/scenario.h>
#include <hmmsim/thread.h>
#include <hmmsim/wait.h>

#endif /* HMMSIM_SIM_H */
