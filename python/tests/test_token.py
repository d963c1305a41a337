"""lakekey.token() and lakekey.base_url(): the CLI's answers, as Python values."""

import warnings

import lakekey
import pytest

from conftest import cli, unique


def test_token_is_what_the_cli_prints(device_profile):
    idp, profile = device_profile
    assert lakekey.token(profile) == cli("token", "--profile", profile).stdout.strip()
    # The profile falls back as the CLI's does: the only profile is the one meant.
    assert lakekey.token() == lakekey.token(profile)


def test_base_url_is_the_profiles(device_profile, monkeypatch):
    idp, profile = device_profile
    assert lakekey.base_url(profile) == idp.base_url
    monkeypatch.setenv("LAKEKEY_PROFILE", profile)
    assert lakekey.base_url() == idp.base_url


def test_a_short_lived_token_comes_with_a_warning(start_idp):
    from conftest import sign_in_with_device_flow

    # 40 s tokens: due at half life, so the calls below come well before, however slow the machine.
    idp = start_idp("--interval", "1", "--access-ttl", "40")
    profile = unique("py-short")
    sign_in_with_device_flow(idp, profile)
    with pytest.warns(lakekey.ShortLivedTokenWarning, match="less than the 60 s asked for"):
        first = lakekey.token(profile)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lakekey.token(profile, min_valid=5) == first, "fresh enough for 5 s: no refresh, no warning"
    assert len(idp.stats()["refreshes"]) == 0, "a token just obtained is not renewed"
    cli("logout", "--profile", profile, "--local-only")


def test_status_says_who_is_signed_in_until_when_and_where(device_profile):
    from conftest import STORE

    idp, profile = device_profile
    status = lakekey.status(profile)
    assert (status.profile, status.method, status.signed_in, status.renewable, status.store) == (profile, "device", True, True, STORE)
    # The test IdP's access tokens are opaque: no subject to show (a JWT's `sub` is shown).
    assert status.user is None and status.expires_at is not None and status.expires_at.tzinfo is not None
    token = lakekey.token(profile)
    assert token not in repr(status), "never the token"


def test_login_in_a_terminal_shows_the_code_as_text(start_idp, tmp_path):
    import subprocess
    import sys

    from conftest import approve

    idp = start_idp("--interval", "1")
    profile = unique("py-term")
    cli("profile", "add", profile, "--base-url", idp.base_url, "--org-id", "acme")
    child = subprocess.Popen(
        [sys.executable, "-c", f"import lakekey\nprint('signed in:', lakekey.login({profile!r}).signed_in)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
    )
    shown = []
    for line in child.stderr:
        shown.append(line)
        if line.startswith("(or open "):
            approve(line.split()[2])
    assert child.wait(timeout=120) == 0, "".join(shown)
    assert "signed in: True" in child.stdout.read()
    text = "".join(shown)
    assert "enter the code:" in text and "█" in text, f"the code and a QR code drawn in text: {text}"
