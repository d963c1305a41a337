/* Writes a generic credential whose secret is N bytes, straight through CredWriteW, and prints
 * whether Windows (here: Wine) took it. Windows refuses secrets over CRED_MAX_CREDENTIAL_BLOB_SIZE
 * (2560 bytes); scripts/windows/e2e.py uses this to see whether Wine enforces that limit, which is
 * why LakeKey splits a credential into chunks. Usage: credwrite TARGET BYTES. Test-only. */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>
#include <stdlib.h>

int wmain(int argc, WCHAR **argv)
{
    if (argc != 3)
        return 2;
    DWORD size = (DWORD)_wtoi(argv[2]);
    BYTE *blob = calloc(size ? size : 1, 1);
    CREDENTIALW cred = {0};
    cred.Type = CRED_TYPE_GENERIC;
    cred.TargetName = argv[1];
    cred.CredentialBlobSize = size;
    cred.CredentialBlob = blob;
    cred.Persist = CRED_PERSIST_LOCAL_MACHINE;
    if (CredWriteW(&cred, 0)) {
        wprintf(L"written %lu bytes\n", (unsigned long)size);
        CredDeleteW(argv[1], CRED_TYPE_GENERIC, 0);
        return 0;
    }
    wprintf(L"refused %lu bytes: error %lu\n", (unsigned long)size, (unsigned long)GetLastError());
    return 1;
}
