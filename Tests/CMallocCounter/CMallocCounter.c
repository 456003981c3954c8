// Counts the allocations of each thread by defining the allocator's entry points in the test
// executable (which the dynamic linker resolves before libc's), each forwarding to glibc's own
// implementation. Per-thread counts, so tests running in parallel on other threads do not
// disturb a measurement. Not installed under a sanitizer, whose runtime owns these symbols.
#include "CMallocCounter.h"

#include <errno.h>
#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define MSRPCHARGE_NO_COUNTER 1
#endif
#endif

#if defined(MSRPCHARGE_NO_COUNTER) || !defined(__GLIBC__)

uint64_t msrpcharge_thread_allocations(void) { return 0; }
bool msrpcharge_allocation_counting(void) { return false; }

#else

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static __thread uint64_t allocations;

uint64_t msrpcharge_thread_allocations(void) { return allocations; }
bool msrpcharge_allocation_counting(void) { return true; }

void *malloc(size_t n) {
    allocations++;
    return __libc_malloc(n);
}

void free(void *p) { __libc_free(p); }

void *calloc(size_t n, size_t size) {
    allocations++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n) {
    allocations++;
    return __libc_realloc(p, n);
}

void *memalign(size_t alignment, size_t n) {
    allocations++;
    return __libc_memalign(alignment, n);
}

void *aligned_alloc(size_t alignment, size_t n) {
    allocations++;
    return __libc_memalign(alignment, n);
}

int posix_memalign(void **out, size_t alignment, size_t n) {
    allocations++;
    void *p = __libc_memalign(alignment, n);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}

#endif
