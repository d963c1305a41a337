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

    idp = start_idp("--interval", "1", "--access-ttl", "20")
    profile = unique("py-short")
    sign_in_with_device_flow(idp, profile)
    with pytest.warns(lakekey.ShortLivedTokenWarning, match="less than the 60 s asked for"):
        first = lakekey.token(profile)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lakekey.token(profile, min_valid=5) == first, "fresh enough for 5 s: no refresh, no warning"
    cli("logout", "--profile", profile, "--local-only")
