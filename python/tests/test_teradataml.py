"""lakekey.set_auth_token() with teradataml 20.0.0.12 from PyPI: the Authorization header
teradataml itself builds carries a token the test IdP (or the fake Lake) accepts, and a new
one once the first has run out, with no further call."""

import time
import warnings

import lakekey
import pytest

from conftest import FIXTURES, ROOT, claims, cli, sha256, sign_in_with_device_flow, unique, wait_for

teradataml = pytest.importorskip("teradataml")


def requests_seen(idp):
    """What the fake Open Analytics service saw: (accepted?, kind, digest of the token)."""
    return [(s["ok"], s["kind"], s["sha256"]) for s in idp.stats()["services"]]


def test_teradatamls_own_header_carries_a_token_the_idp_accepts(device_profile, teradataml_context, capfd):
    from teradataml import list_user_envs

    idp, profile = device_profile
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the tested version: no "untested" warning
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


def test_an_unsupported_teradataml_is_refused_before_anything_changes(device_profile, monkeypatch):
    from teradataml.scriptmgmt import auth_token

    idp, profile = device_profile
    monkeypatch.delattr(auth_token._AuthToken, "get_valid_token")
    with pytest.raises(lakekey.TeradatamlError) as caught:
        lakekey.set_auth_token(profile)
    assert caught.value.code == "teradataml_unsupported"
    assert "20.0.0.12" in caught.value.hint
