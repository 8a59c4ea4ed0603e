// SHA-256 block compression with the x86 SHA extensions (SHA-NI), for the Digest target.
// Swift cannot reach these instructions; C intrinsics can, per function, without building the
// whole target for a newer CPU. On other CPUs csha256_available() is 0 and Digest keeps its
// own implementation.
#ifndef CSHA256_H
#define CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the SHA extensions (and SSSE3/SSE4.1 alongside), else 0.
int csha256_available(void);

/// Compresses `blocks` 64-byte blocks at `data` into `state` (8 words, FIPS 180-4 order).
/// Only call when csha256_available() says 1.
void csha256_compress(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
