#ifndef MSRPCHARGE_CPREFETCH_H
#define MSRPCHARGE_CPREFETCH_H

/// A hint to bring the cache line at `address` in for writing. Swift has no prefetch
/// intrinsic; the session table uses this to overlap the cache misses of a batch of lookups.
///
/// On x86-64 this is PREFETCHW, written as assembly: `__builtin_prefetch(address, 1, 3)`
/// becomes PREFETCHT0 unless the whole target is compiled with -mprfchw. Every line this is
/// used for is written next (a connection's parser state, a session's slot); PREFETCHT0 asks
/// for it in the shared state, and the store must then upgrade it, while PREFETCHW asks for
/// it to own at once. Every x86-64 CPU of the last decade has it (AMD since the K8, Intel
/// since Broadwell; older Intel cores execute it as a no-op). Not used for the shard locks:
/// prefetching a line that another core is also taking made sharing slower (README).
static inline __attribute__((always_inline)) void msrpcharge_prefetch_write(const void *address) {
#if defined(__x86_64__)
    __asm__ __volatile__("prefetchw %0" : : "m"(*(const char *)address));
#else
    __builtin_prefetch(address, 1, 3);
#endif
}

#endif
