#ifndef MSRPCHARGE_CPREFETCH_H
#define MSRPCHARGE_CPREFETCH_H

/// A hint to bring the cache line at `address` in for writing. Swift has no prefetch
/// intrinsic; the session table uses this to overlap the cache misses of a batch of lookups.
static inline __attribute__((always_inline)) void msrpcharge_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
