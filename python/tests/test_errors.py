"""Every failure is an exception with LakeKey's stable code and the CLI's message and hint."""

import subprocess
import sys

import lakekey
import pytest

from conftest import LAKEKEY, ROOT, cli, unique, unsigned_jwt

EXAMPLE = "https://acme.example.com/api/accounts/e1"


def test_not_signed_in(monkeypatch):
    profile = unique("py-nosignin")
    cli("profile", "add", profile, "--base-url", EXAMPLE)
    with pytest.raises(lakekey.NotSignedInError) as caught:
        lakekey.token(profile)
    assert caught.value.code == "sign_in_required"
    assert caught.value.exit_code == 3
    assert "not signed in" in caught.value.message
    assert "lakekey login" in caught.value.hint


def test_unknown_profile_and_bad_arguments_are_invalid_input():
    cli("profile", "add", unique("py-other"), "--base-url", EXAMPLE)
    with pytest.raises(lakekey.InvalidInputError) as caught:
        lakekey.base_url("no-such-profile")
    assert caught.value.code == "profile_not_found"
    with pytest.raises(ValueError, match="min_valid"):
        lakekey.token(min_valid=-1)


def test_network_trouble(start_idp):
    from conftest import sign_in_with_device_flow

    idp = start_idp("--interval", "1")
    profile = unique("py-network")
    sign_in_with_device_flow(idp, profile)
    idp.stop()
    # More validity than the stored token has: a refresh, and nobody answers.
    with pytest.raises(lakekey.NetworkError) as caught:
        lakekey.token(profile, min_valid=100_000)
    assert caught.value.code == "network"
    assert "token endpoint" in caught.value.message
    cli("logout", "--profile", profile, "--local-only")


def test_no_keychain(monkeypatch):
    profile = unique("py-nokeychain")
    cli("profile", "add", profile, "--base-url", EXAMPLE)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/lakekey-test-bus")
    with pytest.raises(lakekey.KeychainError) as caught:
        lakekey.token(profile)
    assert caught.value.code == "keychain_unavailable"
    assert caught.value.hint


def test_a_locked_keychain(tmp_path):
    # In its own D-Bus session and keyring, so locking it disturbs no other test.
    script = f"""
import subprocess, lakekey
subprocess.run(["{LAKEKEY}", "profile", "add", "p", "--base-url", "{EXAMPLE}", "--method", "token"], check=True)
token = "{unsigned_jwt(4102444800)}"
subprocess.run(["{LAKEKEY}", "login", "--profile", "p"], input=token, text=True, check=True)
subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/collection/login"], check=True,
               capture_output=True)
try:
    lakekey.token("p")
except lakekey.KeychainError as e:
    print("code=" + e.code)
"""
    env = {k: v for k, v in __import__("os").environ.items() if k != "DISPLAY"}
    done = subprocess.run(
        ["dbus-run-session", "--", str(ROOT / "scripts" / "with-keyring"), sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "code=keychain_locked" in done.stdout, done.stdout + done.stderr


def test_the_cli_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("LAKEKEY_BIN", str(tmp_path / "nowhere" / "lakekey"))
    with pytest.raises(lakekey.CLINotFoundError) as caught:
        lakekey.token()
    assert caught.value.code == "cli_not_found"
    monkeypatch.delenv("LAKEKEY_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(lakekey.CLINotFoundError, match="not on PATH"):
        lakekey.token()


def test_teradataml_missing(monkeypatch):
    profile = unique("py-notdml")
    cli("profile", "add", profile, "--base-url", EXAMPLE)
    monkeypatch.setitem(sys.modules, "teradataml", None)  # `import teradataml` fails
    with pytest.raises(lakekey.TeradatamlError) as caught:
        lakekey.set_auth_token(profile)
    assert caught.value.code == "teradataml_missing"


def test_errors_are_all_lakekey_errors():
    for kind in (lakekey.NotSignedInError, lakekey.KeychainError, lakekey.NetworkError, lakekey.InvalidInputError,
                 lakekey.CLINotFoundError, lakekey.TeradatamlError):
        assert issubclass(kind, lakekey.LakeKeyError)
