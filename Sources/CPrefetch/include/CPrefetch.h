#ifndef MSRPCHARGE_CPREFETCH_H
#define MSRPCHARGE_CPREFETCH_H

/// A hint to bring the cache line at `address` in for writing. Swift has no prefetch
/// intrinsic; the session table uses this to overlap the cache misses of a batch of lookups.
///
/// On x86-64 this is PREFETCHW, written as assembly: `__builtin_prefetch(address, 1, 3)`
/// becomes PREFETCHT0 unless the whole target is compiled with -mprfchw, and PREFETCHT0
/// fetches a line that another core has modified (a shard's lock) in the shared state, so
/// the store that follows needs a second round trip between the cores to own it. PREFETCHW
/// asks for ownership at once. Every x86-64 CPU of the last decade has it (AMD since the K8,
/// Intel since Broadwell; older Intel cores execute it as a no-op).
static inline __attribute__((always_inline)) void msrpcharge_prefetch_write(const void *address) {
#if defined(__x86_64__)
    __asm__ __volatile__("prefetchw %0" : : "m"(*(const char *)address));
#else
    __builtin_prefetch(address, 1, 3);
#endif
}

#endif
