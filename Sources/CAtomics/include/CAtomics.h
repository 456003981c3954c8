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

/// Adds `v` to `*p` and returns the old value (relaxed: a counter read later through a fence).
static inline uint64_t msrpcharge_fetch_add_relaxed(uint64_t *p, uint64_t v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

/// 32-bit words for a futex: a sequence a waiter reads, then sleeps on while it is unchanged.
static inline uint32_t msrpcharge_load_acquire32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

static inline uint32_t msrpcharge_fetch_add32(uint32_t *p, uint32_t v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }

/// Sleeps while `*word == expected`, at most `timeout_ns` (Linux futex(2), FUTEX_WAIT_PRIVATE);
/// returns at once when the word already differs. Spurious returns are the caller's to handle.
void msrpcharge_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns);

/// Wakes every thread sleeping on `word` (FUTEX_WAKE_PRIVATE).
void msrpcharge_futex_wake_all(uint32_t *word);

#endif
