/* A stand-in for bcryptprimitives.dll, for running LakeKey's Windows build under Wine 8.0
 * (scripts/test-windows). Rust's standard library (1.78 on) and getrandom import ProcessPrng
 * from that DLL when a program loads; Wine added it only in 8.13, so without this every Rust
 * program exits at start (status 53). ProcessPrng fills a buffer from the system's generator,
 * which BCryptGenRandom gives, in Wine as in Windows. Never shipped: tests only. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG part = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, part, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += part;
        len -= part;
    }
    return TRUE;
}
