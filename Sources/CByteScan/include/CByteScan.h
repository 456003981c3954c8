#ifndef MSRPCHARGE_CBYTESCAN_H
#define MSRPCHARGE_CBYTESCAN_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Bit i set when byte i of the 64 bytes at `p` equals `byte`. Swift has no way to turn a
/// vector compare into a bit mask (x86's PMOVMSKB); the MSRP header scanner uses this to find
/// every line end of a 64-byte block at once, instead of calling memchr for each short line.
/// SSE2 is part of x86-64, so there is no CPU check; elsewhere the loop below is the fallback.
static inline __attribute__((always_inline)) uint64_t msrpcharge_byte_mask64(const void *p, uint8_t byte) {
#if defined(__SSE2__)
    const __m128i b = _mm_set1_epi8((char)byte);
    const __m128i *q = (const __m128i *)p;
    const uint64_t m0 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q), b));
    const uint64_t m1 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 1), b));
    const uint64_t m2 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 2), b));
    const uint64_t m3 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 3), b));
    return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
#else
    const uint8_t *c = (const uint8_t *)p;
    uint64_t m = 0;
    for (int i = 0; i < 64; i++) m |= (uint64_t)(c[i] == byte) << i;
    return m;
#endif
}

#endif
