"""lakekey.set_auth_token() with teradataml from PyPI: the Authorization header teradataml
itself builds carries a token the test IdP (or the fake Lake) accepts, and a new one once the
first has run out, with no further call. scripts/test-python runs this file once per tested
teradataml release (20.0.0.8 to .12; LAKEKEY_TEST_TERADATAML names the one on PYTHONPATH)."""

import os
import time
import warnings

import lakekey
import lakekey._teradataml
import pytest
import teradataml  # a missing teradataml fails these tests; it never skips them

from conftest import FIXTURES, ROOT, claims, cli, sha256, sign_in_with_device_flow, unique, wait_for


def test_the_teradataml_under_test_is_the_one_named():
    wanted = os.environ.get("LAKEKEY_TEST_TERADATAML", "20.0.0.12")
    numbers = lambda v: tuple(int(p) for p in v.split("."))  # noqa: E731 (20.00.00.08 is 20.0.0.8)
    assert numbers(teradataml.__version__) == numbers(wanted), teradataml.__file__
    assert wanted in lakekey._teradataml.TESTED_VERSIONS


def requests_seen(idp):
    """What the fake Open Analytics service saw: (accepted?, kind, digest of the token)."""
    return [(s["ok"], s["kind"], s["sha256"]) for s in idp.stats()["services"]]


def test_teradatamls_own_header_carries_a_token_the_idp_accepts(device_profile, teradataml_context, capfd):
    from teradataml import list_user_envs

    idp, profile = device_profile
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a tested version: no "untested" warning
        assert lakekey.set_auth_token(profile) is True
    assert teradataml_context.configure.ues_url == f"{idp.base_url}/open-analytics"
    list_user_envs()
    assert requests_seen(idp) == [(True, "access_token", sha256(lakekey.token(profile)))]
    out, err = capfd.readouterr()
    assert lakekey.token(profile) not in out + err, "the token is never printed"


def test_a_20_second_token_is_renewed_with_no_further_call(start_idp, teradataml_context):
    from teradataml import list_user_envs

    idp = start_idp("--interval", "1", "--access-ttl", "20")
    profile = unique("py-renew")
    sign_in_with_device_flow(idp, profile)
    lakekey.set_auth_token(profile)
    list_user_envs()
    first = requests_seen(idp)[-1]
    assert first[:2] == (True, "access_token")
    refreshes_before = len(idp.stats()["refreshes"])

    # Past the first token's lifetime, teradataml's next request carries a new, accepted token.
    time.sleep(21)
    list_user_envs()
    second = requests_seen(idp)[-1]
    assert second[:2] == (True, "access_token"), second
    assert second[2] != first[2], "a new token"
    assert second[2] == sha256(cli("token", "--profile", profile, "--min-valid", "0").stdout.strip())
    assert len(idp.stats()["refreshes"]) == refreshes_before + 1, "one refresh at the IdP"
    cli("logout", "--profile", profile, "--local-only")


def test_the_pat_flow_gives_teradatamls_token_byte_for_byte(start_idp, teradataml_context, tmp_path):
    from teradataml import list_base_envs
    from teradataml.clients import auth_client

    pat, user = "pat-python-0123", "ANALYST"
    idp = start_idp()
    idp.register_lake_key("key1", (FIXTURES / "test-public-key.pem").read_text(), pat, user)
    pem = tmp_path / "key1.pem"
    pem.write_bytes((FIXTURES / "test-key.pem").read_bytes())
    pem.chmod(0o600)
    profile = unique("py-pat")
    cli("profile", "add", profile, "--base-url", idp.base_url, "--method", "pat", "--org-id", "acme")
    cli("pat", "import", "--profile", profile, "--pat-file", "-", "--pem", str(pem), "--username", user, stdin=pat)

    ours = lakekey.token(profile)
    # teradataml's own PAT signing, at the second LakeKey signed (iat is 0, exp = then + 1 year).
    signed_at = claims(ours)["exp"] - 31536000
    original = auth_client.time.time
    auth_client.time.time = lambda: signed_at
    try:
        state = {"org_id": "acme", "pat_token": pat, "pem_file": str(pem), "username": user, "expiration_time": 31536000, "valid_from": 0}
        theirs = auth_client._AuthWorkflow(state)._proxy_jwt()
    finally:
        auth_client.time.time = original
    assert ours == theirs

    lakekey.set_auth_token(profile)
    list_base_envs()
    assert requests_seen(idp) == [(True, "pat_jwt", sha256(ours))]
    cli("logout", "--profile", profile)


def test_an_unsupported_teradataml_is_refused_before_anything_changes(device_profile, teradataml_context, monkeypatch):
    from teradataml.scriptmgmt import lls_utils

    idp, profile = device_profile
    # A release whose token object builds no header the way LakeKey knows.
    monkeypatch.delattr(lls_utils._AuthToken, "get_header")
    with pytest.raises(lakekey.TeradatamlError) as caught:
        lakekey.set_auth_token(profile)
    assert caught.value.code == "teradataml_unsupported"
    assert "20.0.0.8" in caught.value.hint and "20.0.0.12" in caught.value.hint
    assert idp.stats()["services"] == [], "nothing was sent"


def test_a_failed_renewal_keeps_the_valid_token_and_asks_again_only_after_a_while(start_idp, teradataml_context):
    from teradataml import list_user_envs

    # 40 s tokens, due at half life: the 6 s of requests below end well before expiry even when
    # the sign-in and the first request took a while on a loaded machine.
    idp = start_idp("--interval", "1", "--access-ttl", "40")
    profile = unique("py-backoff")
    sign_in_with_device_flow(idp, profile)
    lakekey.set_auth_token(profile)
    list_user_envs()
    first = requests_seen(idp)[-1]
    # The token endpoint fails from now on; half the token's life later a renewal is due.
    idp.control({"fault": {"path": "/token", "kind": "status_503"}})
    time.sleep(21)
    started = time.monotonic()
    while time.monotonic() - started < 6:
        list_user_envs()  # teradataml goes on with the token it has, which is still valid
        time.sleep(0.25)
    seen = requests_seen(idp)
    assert all(ok and digest == first[2] for ok, _, digest in seen[1:]), "the valid token was used"
    attempts = [f for f in idp.stats()["faulted"] if f["path"].endswith("/token")]
    assert len(attempts) == 1, f"one renewal attempt in 6 s of requests, not one per request: {len(attempts)}"
    cli("logout", "--profile", profile, "--local-only")


def test_set_auth_token_asks_the_command_once(device_profile, teradataml_context, tmp_path, monkeypatch):
    # One `lakekey token --json` carries the token, the profile's name and base URL, when to
    # renew and the command's version: no `--version`, no `profile show` beside it.
    idp, profile = device_profile
    calls = tmp_path / "calls"
    counting = tmp_path / "lakekey"
    counting.write_text(f"#!/bin/sh\necho \"$*\" >> '{calls}'\nexec '{lakekey._cli.find_cli()}' \"$@\"\n")
    counting.chmod(0o755)
    monkeypatch.setenv("LAKEKEY_BIN", str(counting))
    monkeypatch.setattr(lakekey._cli, "_versions", {})
    assert lakekey.set_auth_token(profile) is True
    ran = calls.read_text().splitlines()
    assert len(ran) == 1 and " token " in f" {ran[0]} " and "--json" in ran[0], ran
