"""Every failure is an exception with LakeKey's stable code and the CLI's message and hint."""

import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import lakekey
import lakekey._login
import lakekey.errors
import pytest

from conftest import LAKEKEY, ROOT, STORE, claims, cli, unique, unsigned_jwt

EXAMPLE = "https://acme.example.com/api/accounts/e1"


def test_not_signed_in(monkeypatch):
    profile = unique("py-nosignin")
    cli("profile", "add", profile, "--base-url", EXAMPLE)
    with pytest.raises(lakekey.NotSignedInError) as caught:
        lakekey.token(profile)
    assert caught.value.code == "sign_in_required"
    assert caught.value.exit_code == 3
    assert "not signed in" in caught.value.message
    # What to do, in Python's terms (the CLI would name its command, the app its button).
    assert caught.value.action == {"kind": "sign_in", "profile": profile, "pat": False}
    assert f"lakekey.login({profile!r})" in str(caught.value) and "`lakekey login" not in str(caught.value)


def test_unknown_profile_and_bad_arguments_are_invalid_input():
    cli("profile", "add", unique("py-other"), "--base-url", EXAMPLE)
    with pytest.raises(lakekey.InvalidInputError) as caught:
        lakekey.base_url("no-such-profile")
    assert caught.value.code == "profile_not_found"
    with pytest.raises(ValueError, match="min_valid"):
        lakekey.token(min_valid=-1)


def test_network_trouble(start_idp):
    from conftest import sign_in_with_device_flow

    idp = start_idp("--interval", "1", "--access-ttl", "10")
    profile = unique("py-network")
    sign_in_with_device_flow(idp, profile)
    # When the token is due and when it expires, as lakekey.token's default margin has it: the
    # waits below follow the token, not a guess of how long the sign-in took.
    issued = json.loads(cli("token", "--profile", profile, "--min-valid", str(lakekey.DEFAULT_MIN_VALID), "--json").stdout)
    idp.stop()
    # Due for renewal and nobody answers: while the token is valid it is the answer, with a
    # warning; once it has expired, the network error.
    time.sleep(max(0.0, issued["renew_at"] + 0.5 - time.time()))
    with pytest.warns(lakekey.RenewalFailedWarning, match="could not renew"):
        lakekey.token(profile)
    time.sleep(max(0.0, issued["expires_at"] + 1 - time.time()))
    with pytest.raises(lakekey.NetworkError) as caught:
        lakekey.token(profile)
    assert caught.value.code == "network"
    assert "token endpoint" in caught.value.message
    cli("logout", "--profile", profile, "--local-only")


def test_no_keychain(monkeypatch):
    profile = unique("py-nokeychain")
    cli("profile", "add", profile, "--base-url", EXAMPLE)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/lakekey-test-bus")
    monkeypatch.setenv("LAKEKEY_KEYCHAIN", "secret-service")
    with pytest.raises(lakekey.KeychainError) as caught:
        lakekey.token(profile)
    assert caught.value.code == "keychain_unavailable"
    assert "LAKEKEY_KEYCHAIN=kernel" in caught.value.hint


@pytest.mark.skipif(STORE != "secret-service", reason="locks a Secret Service collection")
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
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    done = subprocess.run(
        ["dbus-run-session", "--", str(ROOT / "scripts" / "with-keyring"), sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "code=keychain_locked" in done.stdout, done.stdout + done.stderr


def test_the_cli_is_missing_or_of_another_release(monkeypatch, tmp_path):
    monkeypatch.setenv("LAKEKEY_BIN", str(tmp_path / "nowhere" / "lakekey"))
    with pytest.raises(lakekey.CLINotFoundError) as caught:
        lakekey.token()
    assert caught.value.code == "cli_not_found"
    # A lakekey of another release line: its answers may not be what this package reads.
    other = tmp_path / "lakekey"
    other.write_text("#!/bin/sh\necho 'lakekey 9.4.1'\n")
    other.chmod(0o755)
    monkeypatch.setenv("LAKEKEY_BIN", str(other))
    with pytest.raises(lakekey.CLINotFoundError) as caught:
        lakekey.token()
    assert caught.value.code == "cli_version" and "9.4.1" in caught.value.message


def test_the_binary_of_its_own_wheel_is_used_whatever_is_on_path(monkeypatch, tmp_path):
    # A different `lakekey` first on PATH is not what the package runs; its own binary is.
    impostor = tmp_path / "lakekey"
    impostor.write_text("#!/bin/sh\necho 'lakekey 0.1.0'\nexit 42\n")
    impostor.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert lakekey._cli.find_cli() == LAKEKEY
    profile = unique("py-own")
    cli("profile", "add", profile, "--base-url", EXAMPLE)
    assert lakekey.base_url(profile) == EXAMPLE


def test_teradataml_missing(monkeypatch):
    profile = unique("py-notdml")
    cli("profile", "add", profile, "--base-url", EXAMPLE)
    monkeypatch.setitem(sys.modules, "teradataml", None)  # `import teradataml` fails
    with pytest.raises(lakekey.TeradatamlError) as caught:
        lakekey.set_auth_token(profile)
    assert caught.value.code == "teradataml_missing"


def test_every_error_code_of_the_cli_has_its_exception():
    # The codes the engine can report (src/error.rs), each mapped to a specific exception: a code
    # added there and forgotten here fails this test.
    source = (ROOT / "src" / "error.rs").read_text()
    codes = set(re.findall(r'ErrorCode::\w+ => "(\w+)"', source))
    assert len(codes) >= 13, codes
    for code in codes:
        error = lakekey.errors.error_for(code, "m")
        assert type(error) is not lakekey.LakeKeyError or code in {"cancelled", "internal"}, code
        assert isinstance(error, lakekey.LakeKeyError)
    assert isinstance(lakekey.errors.error_for("timeout", "m"), TimeoutError)


def test_a_profile_name_starting_with_a_dash_is_a_name(monkeypatch):
    profile = "-" + unique("dash")
    cli("profile", "add", "--base-url", EXAMPLE, "--method", "token", "--", profile)
    assert lakekey.base_url(profile) == EXAMPLE
    with pytest.raises(lakekey.NotSignedInError, match="not signed in"):
        lakekey.token(profile)


def test_answers_are_read_as_utf8_whatever_the_locale(tmp_path):
    # A profile file naming a profile `prøfile` (not allowed): the CLI's message quotes it back.
    # Read by a Python whose locale encoding is ASCII (what Windows code pages and the POSIX
    # locale give), it must still come through whole.
    config = tmp_path / "utf8"
    config.mkdir()
    (config / "profiles.toml").write_text('[profiles."prøfile"]\nbase_url = "https://acme.example.com/api/accounts/e1"\n', encoding="utf-8")
    script = "import lakekey\ntry:\n    lakekey.base_url()\nexcept lakekey.InvalidInputError as e:\n    print(ascii(e.message))\n"
    env = {**os.environ, "LAKEKEY_CONFIG_DIR": str(config), "LC_ALL": "POSIX", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, encoding="utf-8", env=env, timeout=60)
    assert "pr\\xf8file" in done.stdout, done.stdout + done.stderr


def test_only_lakekeys_notes_become_warnings(device_profile, monkeypatch):
    idp, profile = device_profile
    # Diagnostics on stderr (LAKEKEY_LOG) are passed on, not turned into warnings.
    monkeypatch.setenv("LAKEKEY_LOG", "debug")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lakekey.token(profile)


def test_a_call_that_takes_too_long_is_stopped(start_idp, tmp_path):
    import fcntl

    from conftest import sign_in_with_device_flow

    idp = start_idp("--interval", "1", "--access-ttl", "4")
    profile = unique("py-timeout")
    sign_in_with_device_flow(idp, profile)
    time.sleep(2.5)  # due for renewal
    # Another process holds the profile's refresh lock, as a stuck refresh would.
    lock_path = Path(os.environ["LAKEKEY_CONFIG_DIR"]) / "locks" / f"{profile}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        with pytest.raises(lakekey.LakeKeyTimeoutError) as caught:
            lakekey.token(profile, timeout=2)
        took = time.monotonic() - started
    assert isinstance(caught.value, TimeoutError) and caught.value.code == "timeout"
    assert "2 s" in caught.value.message and "timeout=" in caught.value.hint
    assert took < 30, "the limit bounds the wait (a bound on hangs, not a timing assertion)"
    ours = subprocess.run(["pgrep", "-f", "--", f"--profile={profile}"], capture_output=True, encoding="utf-8")
    assert ours.stdout.strip() == "", "the stopped lakekey process is gone"
    # LAKEKEY_TIMEOUT sets it too, and a bad value is a clear error.
    os.environ["LAKEKEY_TIMEOUT"] = "soon"
    try:
        with pytest.raises(lakekey.InvalidInputError, match="LAKEKEY_TIMEOUT"):
            lakekey.token(profile)
    finally:
        del os.environ["LAKEKEY_TIMEOUT"]
    cli("logout", "--profile", profile, "--local-only")


def test_a_time_limit_during_a_refresh_keeps_the_rotated_token(start_idp):
    from conftest import sign_in_with_device_flow

    idp = start_idp("--interval", "1", "--access-ttl", "4")
    profile = unique("py-limit-refresh")
    sign_in_with_device_flow(idp, profile)
    # The IdP rotates at once and answers 4 s later; the caller allows 1 s.
    idp.control({"refreshDelayMs": 4000, "accessTtl": 600})
    time.sleep(2.5)  # due for renewal
    with pytest.raises(lakekey.LakeKeyTimeoutError):
        lakekey.token(profile, timeout=1)
    ours = subprocess.run(["pgrep", "-f", "--", f"--profile={profile}"], capture_output=True, encoding="utf-8")
    assert ours.stdout.strip() == "", "the stopped lakekey process is gone"
    idp.control({"refreshDelayMs": 0})
    issued = json.loads(cli("token", "--profile", profile, "--json").stdout)
    assert issued["expires_at"] > time.time() + 300, "the token the stopped refresh saved; no new sign-in"
    assert [r["status"] for r in idp.stats()["refreshes"]] == [200], "no refresh token was used twice"
    cli("logout", "--profile", profile, "--local-only")


def test_login_with_a_base_url_never_rewrites_a_profile(start_idp, tmp_path):
    idp = start_idp("--interval", "1")
    profile = unique("py-pat-kept")
    cli("profile", "add", profile, "--base-url", idp.base_url, "--method", "pat", "--username", "ANALYST")
    before = (Path(os.environ["LAKEKEY_CONFIG_DIR"]) / "profiles.toml").read_text()
    with pytest.raises(lakekey.LakeKeyError) as caught:
        lakekey.login(profile, base_url=idp.base_url)
    assert caught.value.code == "invalid_input" and "sign-in method pat" in caught.value.message, caught.value
    assert caught.value.hint, "it says what to do instead"
    assert (Path(os.environ["LAKEKEY_CONFIG_DIR"]) / "profiles.toml").read_text() == before, "the profile is as it was"


def test_a_failed_login_says_why_however_late_its_stderr_is_read(monkeypatch, tmp_path):
    # Once lost in CI: the command had exited and its stdout was closed, but the thread reading
    # its stderr had not yet taken the error line. A stand-in command and a slow reader make
    # that order certain.
    failing = tmp_path / "lakekey"
    failing.write_text(
        "#!/bin/sh\n"
        f"[ \"$1\" = --version ] && {{ echo 'lakekey {lakekey.__version__}'; exit 0; }}\n"
        'echo \'{"error":{"code":"invalid_input","message":"the reason","hint":"do this"}}\' >&2\n'
        "exit 6\n"
    )
    failing.chmod(0o755)
    monkeypatch.setenv("LAKEKEY_BIN", str(failing))
    collect = lakekey._login._collect
    monkeypatch.setattr(lakekey._login, "_collect", lambda stream, into: (time.sleep(1), collect(stream, into)))
    with pytest.raises(lakekey.LakeKeyError) as caught:
        lakekey.login("late")
    assert (caught.value.code, caught.value.message, caught.value.hint) == ("invalid_input", "the reason", "do this")


def test_what_a_failed_login_prints_beside_its_json_is_passed_on_once(monkeypatch, tmp_path, capsys):
    # A line that is neither a note nor the error (a diagnostic, say) is shown as it comes,
    # once, not again when the failure is reported.
    failing = tmp_path / "lakekey"
    failing.write_text(
        "#!/bin/sh\n"
        f"[ \"$1\" = --version ] && {{ echo 'lakekey {lakekey.__version__}'; exit 0; }}\n"
        "echo 'a diagnostic line' >&2\n"
        "sleep 2\n"
        'echo \'{"error":{"code":"invalid_input","message":"the reason"}}\' >&2\n'
        "exit 6\n"
    )
    failing.chmod(0o755)
    monkeypatch.setenv("LAKEKEY_BIN", str(failing))
    with pytest.raises(lakekey.LakeKeyError) as caught:
        lakekey.login("twice")
    assert caught.value.code == "invalid_input"
    assert capsys.readouterr().err.count("a diagnostic line") == 1


def test_a_declined_sign_in_raises_with_the_clis_hint(start_idp):
    idp = start_idp("--interval", "1")
    profile = unique("py-declined")
    cli("profile", "add", profile, "--base-url", idp.base_url, "--org-id", "acme")
    script = (
        "import lakekey\n"
        "try:\n"
        f"    lakekey.login({profile!r})\n"
        "except lakekey.LakeKeyError as e:\n"
        "    print('code:', e.code)\n"
        "    print('hint:', e.hint)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8")
    shown = []
    for line in child.stderr:
        shown.append(line)
        if line.startswith("(or open "):
            subprocess.run(["node", str(ROOT / "tests" / "idp" / "approve.mjs"), "--url", line.split()[2], "--deny"], check=True, capture_output=True, timeout=60)
    assert child.wait(timeout=120) == 0, "".join(shown)
    out = child.stdout.read()
    assert "code: access_denied" in out, out + "".join(shown)
    hint = out.split("hint: ", 1)[1].strip()
    assert hint and hint != "None", f"the JSON error event's hint reaches the exception: {out}"
