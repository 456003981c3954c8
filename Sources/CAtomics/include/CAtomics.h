#ifndef MSRPCHARGE_CATOMICS_H
#define MSRPCHARGE_CATOMICS_H

#include <stdbool.h>
#include <stdint.h>

// Acquire/release operations on a plain 64-bit word inside memory the caller allocated (the
// cells of a ring). Swift's Atomic type must own its storage; a ring of cells wants the
// sequence word beside each cell's value, so these are C, as swift-atomics' shims are.
// Thread sanitizer sees the __atomic builtins as synchronisation.

static inline uint64_t msrpcharge_load_acquire(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

static inline uint64_t msrpcharge_load_relaxed(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

static inline void msrpcharge_store_release(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

static inline void msrpcharge_store_relaxed(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

/// Weak compare-and-swap: on failure `*expected` receives the current value.
static inline bool msrpcharge_cas(uint64_t *p, uint64_t *expected, uint64_t desired) {
    return __atomic_compare_exchange_n(p, expected, desired, true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/// Atomically replaces `*p` with `v` and returns the old value (sequentially consistent).
static inline uint64_t msrpcharge_exchange(uint64_t *p, uint64_t v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }

/// A full fence: orders a store before a later load (a producer's push before its look at a
/// consumer's "asleep" flag, and the consumer's clearing of the flag before its next pop).
static inline void msrpcharge_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

#endif
