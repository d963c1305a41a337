"""lakekey.exe end to end under Wine, against the test IdP on 127.0.0.1 (Wine's processes share the
machine's network): what an analyst on Windows does, and what only Windows code does.
Run by scripts/test-windows inside its Wine prefix (WINEPREFIX, with the bcryptprimitives.dll
stand-in). Usage: python3 e2e.py LAKEKEY_EXE LINUX_LAKEKEY CREDWRITE_EXE"""

import base64
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE, LINUX, CREDWRITE = sys.argv[1], sys.argv[2], sys.argv[3]
ROOT = Path(__file__).resolve().parents[2]
PREFIX = Path(os.environ["WINEPREFIX"])
CHECKS = []


def check(what, ok, detail=""):
    CHECKS.append(what)
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else f"\n     {detail}"), flush=True)
    if not ok:
        sys.exit(f"lakekey.exe under Wine: {what}")


def wine(*args, env=None, stdin=None, timeout=120):
    """`lakekey.exe ARGS` under Wine, in the default config directory (%APPDATA%)."""
    environment = {**os.environ, **(env or {})}
    environment.pop("LAKEKEY_CONFIG_DIR", None)
    return subprocess.run(["wine", EXE, *args], input=stdin, capture_output=True, text=True, env=environment, timeout=timeout)


def windows_path(unix_path):
    return subprocess.run(["winepath", "-w", str(unix_path)], capture_output=True, text=True, check=True).stdout.strip()


def claims(jwt):
    part = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def credentials():
    """Credential Manager's generic credentials, as Wine keeps them in the registry."""
    out = subprocess.run(["wine", "reg", "query", r"HKCU\Software\Wine\Credential Manager"], capture_output=True, text=True).stdout
    return [line.split("Generic: ", 1)[1].strip() for line in out.splitlines() if "Credential Manager\\Generic: " in line]


def credential_value(target, name):
    key = rf"HKCU\Software\Wine\Credential Manager\Generic: {target}"
    out = subprocess.run(["wine", "reg", "query", key, "/v", name], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in out.splitlines() if line.strip().startswith(name)), None)


class Idp:
    def __init__(self, *args):
        self.process = subprocess.Popen(["node", str(ROOT / "tests/idp/server.mjs"), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = json.loads(self.process.stdout.readline())
        self.base_url, self.port = ready["base_url"], ready["port"]

    def call(self, method, path, body=None):
        import urllib.request

        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def stats(self):
        return self.call("GET", "/__test/stats")

    def control(self, body):
        self.call("POST", "/__test/control", body)


def sign_in(profile):
    login = subprocess.Popen(["wine", EXE, "login", "--profile", profile, "--json", "--no-browser"], stdout=subprocess.PIPE, text=True)
    events = []
    for line in login.stdout:
        event = json.loads(line)
        events.append(event["event"])
        if event["event"] == "code":
            subprocess.run(["node", str(ROOT / "tests/idp/approve.mjs"), "--url", event["verification_uri_complete"]], check=True, capture_output=True)
    return login.wait(timeout=120), events


def main():
    started = time.monotonic()
    for leftover in ("win", "winpat"):  # of an earlier run in the same prefix
        wine("logout", "--profile", leftover, "--local-only")
    idp = Idp("--interval", "1", "--access-ttl", "4")

    # Sign in with the device flow, as an analyst on Windows does (the code approved elsewhere).
    out = wine("profile", "add", "win", "--base-url", idp.base_url, "--org-id", "acme")
    check("profile add", out.returncode == 0, out.stderr)
    code, events = sign_in("win")
    check("device sign-in (--no-browser, approved at the IdP)", code == 0 and events[0] == "code" and events[-1] == "signed_in", events)
    stored = credentials()
    check("the sign-in is in Credential Manager as `win.lakekey`", "win.lakekey" in stored, stored)
    persist = credential_value("win.lakekey", "Persist")
    check("it is written with local-machine persistence (Persist = 2: never roams)", persist == "0x2", persist)

    first = wine("token", "--profile", "win")
    check("token", first.returncode == 0 and len(first.stdout.strip()) > 20, first.stderr)
    answer = wine("token", "--profile", "win", "--json")
    data = json.loads(answer.stdout) if answer.returncode == 0 else {}
    check("token --json", data.get("token") and data.get("lifetime") == 4 and data.get("renewable") is True, answer.stdout + answer.stderr)

    # After expiry: a refresh, and the new token.
    refreshes = len(idp.stats()["refreshes"])
    time.sleep(5)
    renewed = wine("token", "--profile", "win")
    check("a refresh after expiry", renewed.returncode == 0 and renewed.stdout != first.stdout and len(idp.stats()["refreshes"]) == refreshes + 1, renewed.stderr)

    # Eight processes at once while the token is expired: one refresh (the lock is LockFileEx here).
    idp.control({"accessTtl": 3600, "refreshDelayMs": 500})
    time.sleep(5)
    refreshes = len(idp.stats()["refreshes"])
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: wine("token", "--profile", "win"), range(8)))
    tokens = {r.stdout.strip() for r in results}
    check(
        "8 lakekey.exe at once on an expired token: one refresh, one token",
        all(r.returncode == 0 for r in results) and len(tokens) == 1 and len(idp.stats()["refreshes"]) == refreshes + 1,
        f"{[r.returncode for r in results]} {len(tokens)} tokens, {len(idp.stats()['refreshes']) - refreshes} refreshes {[r.stderr for r in results if r.returncode]}",
    )
    check("no refresh token was used twice", all(r["status"] == 200 for r in idp.stats()["refreshes"]), idp.stats()["refreshes"])
    token = tokens.pop()

    # exec: a Windows command sees the token and the base URL.
    shown = wine("exec", "--profile", "win", "--", "cmd", "/c", "echo %LAKEKEY_TOKEN% %LAKEKEY_BASE_URL%")
    check("exec runs a Windows command with LAKEKEY_TOKEN and LAKEKEY_BASE_URL", shown.stdout.split() == [token, idp.base_url], shown.stdout + shown.stderr)

    # Where things are: %APPDATA%\lakekey\config, as Windows' known folders give it.
    appdata = subprocess.run(["wine", "cmd", "/c", "echo %APPDATA%"], capture_output=True, text=True).stdout.strip()
    paths = json.loads(wine("profile", "show", "win", "--json").stdout)["paths"]
    check(
        "config and lock directories under %APPDATA% (known folders)",
        paths["config_dir"].lower() == f"{appdata}\\lakekey\\config".lower() and paths["locks_dir"].lower() == f"{appdata}\\lakekey\\config\\locks".lower(),
        f"{paths} vs APPDATA={appdata}",
    )
    on_disk = PREFIX / "drive_c/users" / os.environ.get("USER", "root") / "AppData/Roaming/lakekey/config/profiles.toml"
    check("profiles.toml is there on disk, with no secret in it", on_disk.is_file() and token not in on_disk.read_text(), str(on_disk))

    # Profile names that differ only in case share one credential in Credential Manager: refused.
    out = wine("profile", "add", "WIN", "--base-url", idp.base_url, "--org-id", "acme")
    check("a profile name differing only in case is refused", out.returncode == 6 and "letter case" in out.stderr, out.stderr)

    # Sign out: revoked at the IdP, every item gone.
    revocations = idp.stats()["revocations"]
    out = wine("logout", "--profile", "win")
    check("logout revokes at the IdP", out.returncode == 0 and "revoked" in out.stdout and idp.stats()["revocations"] == revocations + 1, out.stdout + out.stderr)
    check("logout leaves no credential behind", not [c for c in credentials() if c == "win.lakekey" or c.startswith("win#")], credentials())

    # The 2560-byte limit: does Wine enforce it? (LakeKey chunks credentials either way.)
    raw = subprocess.run(["wine", CREDWRITE, "lakekey-limit-probe", "3000"], capture_output=True, text=True)
    wine_enforces = raw.returncode != 0
    print(f"note Wine {'enforces' if wine_enforces else 'does not enforce'} the 2560-byte limit per credential: {raw.stdout.strip()}")

    # PAT + PEM: a credential over 2560 bytes, stored in chunks and read back; the JWT byte for
    # byte what the Linux build signs for the same inputs and the same second.
    pat, user = "pat-windows-0123456789", "ANALYST"
    idp.call("POST", "/__test/lake/keys", {"kid": "key1", "public_key_pem": (ROOT / "tests/fixtures/test-public-key.pem").read_text(), "pat": pat, "username": user})
    with tempfile.TemporaryDirectory() as d:
        pem = Path(d) / "key1.pem"
        pem.write_bytes((ROOT / "tests/fixtures/test-key.pem").read_bytes())
        (Path(d) / "pat.txt").write_text(pat)
        wine("profile", "add", "winpat", "--base-url", idp.base_url, "--method", "pat", "--org-id", "acme")
        args = ["pat", "import", "--profile", "winpat", "--pat-file", windows_path(Path(d) / "pat.txt"), "--pem", windows_path(pem), "--username", user]
        out = wine(*args)
        check("pat import (Lake accepts the token)", out.returncode == 0 and "Lake accepted the token" in out.stdout, out.stdout + out.stderr)
        chunks = sorted(c for c in credentials() if c.startswith("winpat#"))
        check("a PAT credential (over 2560 bytes) is stored in chunks", len(chunks) >= 2 and "winpat.lakekey" in credentials(), credentials())
        jwt = wine("token", "--profile", "winpat").stdout.strip()
        check("and read back whole", claims(jwt)["pat"] == pat and claims(jwt)["sub"] == user, jwt[:40])

        # The Linux build, at the second the Windows one signed.
        signed_at = claims(jwt)["exp"] - 31536000
        with tempfile.TemporaryDirectory() as config:
            env = {**os.environ, "LAKEKEY_CONFIG_DIR": config, "LAKEKEY_KEYCHAIN": "kernel"}
            subprocess.run([LINUX, "profile", "add", "lin", "--base-url", idp.base_url, "--method", "pat", "--org-id", "acme"], env=env, check=True, capture_output=True)
            theirs = ""
            for _ in range(3):
                offset = str(signed_at - int(time.time()))
                subprocess.run([LINUX, "pat", "import", "--profile", "lin", "--pat-file", str(Path(d) / "pat.txt"), "--pem", str(pem), "--username", user, "--no-validate"],
                               env={**env, "LAKEKEY_TEST_CLOCK_OFFSET_SECS": offset}, check=True, capture_output=True)
                theirs = subprocess.run([LINUX, "token", "--profile", "lin", "--min-valid", "0"], env={**env, "LAKEKEY_TEST_CLOCK_OFFSET_SECS": offset}, capture_output=True, text=True).stdout.strip()
                if claims(theirs)["exp"] == claims(jwt)["exp"]:
                    break
            subprocess.run([LINUX, "logout", "--profile", "lin", "--local-only"], env=env, capture_output=True)
        check("the JWT is byte for byte the Linux build's for the same inputs and second", theirs == jwt, f"{theirs[:60]}… vs {jwt[:60]}…")

        # A crash between chunk writes: the old record stays readable, and the next save sweeps.
        crash = wine(*args, env={"LAKEKEY_CRASH_AT": "keychain.first_chunk_written"})
        check("a crash after the first chunk of a new save (exit 137)", crash.returncode == 137, f"{crash.returncode} {crash.stderr}")
        after = wine("token", "--profile", "winpat")
        check("leaves the old record whole", after.returncode == 0 and after.stdout.strip() == jwt, after.stderr)
        left = sorted(c for c in credentials() if c.startswith("winpat#"))
        check("with one stray chunk of the new generation", len(left) == len(chunks) + 1, left)
        again = wine(*args)
        generations = {c.split("#")[1].split(".")[0] for c in credentials() if c.startswith("winpat#")}
        check("the next save sweeps it: one generation remains", again.returncode == 0 and len(generations) == 1, credentials())
        out = wine("logout", "--profile", "winpat")
        check("logout of the PAT profile leaves nothing", out.returncode == 0 and not [c for c in credentials() if c.startswith("winpat")], credentials())

    idp.process.stdin.close()
    idp.process.wait(timeout=10)
    print(f"lakekey.exe under Wine: {len(CHECKS)} checks passed in {time.monotonic() - started:.0f} s")


main()
