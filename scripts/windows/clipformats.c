/* Prints what the Windows clipboard holds, one format per line: its number, its name (registered
 * formats by name), its size and its first bytes in hex, and for CF_UNICODETEXT the text. Used by
 * the desktop crate's Windows clipboard test (src-tauri/src/clipboard.rs) under Wine, to read back
 * the formats that keep a copied token out of clipboard history. Exit codes: 0 printed, 2 the
 * clipboard could not be opened, 3 it was empty. Test-only. */
#include <windows.h>
#include <stdio.h>

int main(void)
{
    int tries;
    for (tries = 0; tries < 50 && !OpenClipboard(NULL); tries++)
        Sleep(100);
    if (tries == 50)
        return 2;
    UINT format = 0;
    int seen = 0;
    while ((format = EnumClipboardFormats(format)) != 0) {
        WCHAR name[256] = L"";
        if (!GetClipboardFormatNameW(format, name, 256))
            swprintf(name, 256, L"#%u", format);
        HANDLE data = GetClipboardData(format);
        SIZE_T size = data ? GlobalSize(data) : 0;
        const unsigned char *bytes = data ? GlobalLock(data) : NULL;
        wprintf(L"%u\t%ls\t%lu\t", format, name, (unsigned long)size);
        for (SIZE_T i = 0; bytes && i < size && i < 8; i++)
            wprintf(L"%02x", bytes[i]);
        if (format == CF_UNICODETEXT && bytes)
            wprintf(L"\t%ls", (const WCHAR *)bytes);
        wprintf(L"\n");
        if (bytes)
            GlobalUnlock(data);
        seen++;
    }
    CloseClipboard();
    return seen ? 0 : 3;
}
