"""Real parts for the Python package's tests: the package installed from its wheel with the
`lakekey` binary inside, the test identity provider (tests/idp/server.mjs: oidc-provider, a fake
Lake control plane and a fake Open Analytics service) on 127.0.0.1, and the keychain of the
session scripts/test-python runs them in: gnome-keyring on a private D-Bus session, or, with no
D-Bus session at all, the Linux kernel keyring.
"""

import base64
import hashlib
import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator, List

import lakekey._cli
import pytest

ROOT = Path(__file__).resolve().parents[2]
# The binary of the installed wheel: what the package runs by itself.
LAKEKEY = lakekey._cli.own_binary() or ""
FIXTURES = ROOT / "tests" / "fixtures"
# The keychain this session has: the Secret Service when a D-Bus session is there, else the kernel's.
STORE = "secret-service" if os.environ.get("DBUS_SESSION_BUS_ADDRESS") else "kernel"


@pytest.fixture(autouse=True)
def cli_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test is a user with their own profiles, the package's own CLI and the session's
    keychain; what it stored is removed afterwards (the kernel keyring is the user's own)."""
    assert Path(LAKEKEY).is_file(), "the lakekey package is not installed from its wheel: run the tests with scripts/test"
    for name in ("LAKEKEY_BIN", "LAKEKEY_PROFILE", "LAKEKEY_TIMEOUT", "LAKEKEY_KEYCHAIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LAKEKEY_CONFIG_DIR", str(tmp_path / "config"))
    yield
    listed = cli("profile", "list", "--json", check=False)
    for profile in json.loads(listed.stdout or "[]") if listed.returncode == 0 else []:
        cli("logout", "--profile", profile["name"], "--local-only", check=False)


def cli(*args: str, stdin: str = "", check: bool = True) -> subprocess.CompletedProcess:
    """The CLI as a user runs it (the package under test is not involved)."""
    done = subprocess.run([LAKEKEY, *args], input=stdin, capture_output=True, encoding="utf-8", check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"lakekey {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


def unique(prefix: str) -> str:
    """A profile name no other test uses: the keychain is shared by all tests."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsigned_jwt(exp: int) -> str:
    """A JWT-shaped token expiring at `exp`, with a dummy signature: what a user might paste."""
    encode = lambda value: base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{encode({'alg': 'none'})}.{encode({'exp': exp, 'sub': 'ANALYST'})}.sig"


def claims(jwt: str) -> dict:
    part = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


class Idp:
    """The test IdP and fake Lake; stops when the test ends (and by itself if we die)."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            ["node", str(ROOT / "tests" / "idp" / "server.mjs"), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        ready = json.loads(self.process.stdout.readline())
        self.base_url: str = ready["base_url"]
        self.port: int = ready["port"]

    def _call(self, method: str, path: str, body: object = None) -> object:
        import urllib.request

        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def stats(self) -> dict:
        return self._call("GET", "/__test/stats")

    def control(self, body: dict) -> None:
        self._call("POST", "/__test/control", body)

    def register_lake_key(self, kid: str, public_key_pem: str, pat: str, username: str) -> None:
        self._call("POST", "/__test/lake/keys", {"kid": kid, "public_key_pem": public_key_pem, "pat": pat, "username": username})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def start_idp() -> Iterator:
    started: List[Idp] = []

    def start(*args: str) -> Idp:
        idp = Idp(*args)
        started.append(idp)
        return idp

    yield start
    for idp in started:
        idp.stop()


def approve(url: str) -> None:
    """Approves a device code at the test IdP as a browser would (tests/idp/approve.mjs)."""
    subprocess.run(["node", str(ROOT / "tests" / "idp" / "approve.mjs"), "--url", url], check=True, capture_output=True, timeout=60)


def sign_in_with_device_flow(idp: Idp, profile: str) -> None:
    """`lakekey login` for a new device-flow profile, approved at the IdP as a browser would."""
    cli("profile", "add", profile, "--base-url", idp.base_url, "--org-id", "acme")
    login = subprocess.Popen(
        [LAKEKEY, "login", "--profile", profile, "--json", "--no-browser"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, encoding="utf-8"
    )
    for line in login.stdout:
        event = json.loads(line)
        if event["event"] == "code":
            approve(event["verification_uri_complete"])
    assert login.wait(timeout=120) == 0, "the device sign-in failed"


@pytest.fixture
def device_profile(start_idp):
    """A device-flow profile signed in to a fresh test IdP (10 min tokens): (idp, profile)."""
    idp = start_idp("--interval", "1")
    profile = unique("py-device")
    sign_in_with_device_flow(idp, profile)
    yield idp, profile
    cli("logout", "--profile", profile, "--local-only", check=False)


@pytest.fixture
def teradataml_context(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """What create_context() gives teradataml, without a Vantage database (tdml_context.py)."""
    import tdml_context

    context = tdml_context.fake_context()
    yield context
    context.restore()


def wait_for(condition, limit: float = 60.0) -> bool:
    """Polls a condition up to `limit` seconds (a bound on hangs, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
