"""Fresh Teradata VantageCloud Lake tokens for teradataml, from LakeKey.

Sign in once (here, with the LakeKey app, or with the ``lakekey`` command); the secrets stay in
the OS keychain, or on a Linux machine without one in the kernel keyring, never in a file. Then::

    import lakekey
    lakekey.login(base_url="https://acme.example.com/api/accounts/<environment id>")  # once
    lakekey.set_auth_token()   # after teradataml's create_context()

and every request teradataml makes carries a valid token for the life of the process. The
package runs the ``lakekey`` command that came with it (``$LAKEKEY_BIN`` names another), waits
for it at most 45 s per call (``timeout=``, ``$LAKEKEY_TIMEOUT``), and never prints or logs a
token.
"""

import datetime
import json
import sys
import warnings
from typing import NamedTuple, Optional

from . import _cli
from .errors import (
    error_for,
    CLINotFoundError,
    InvalidInputError,
    KeychainError,
    LakeKeyError,
    LakeKeyTimeoutError,
    NetworkError,
    NotSignedInError,
    TeradatamlError,
)

__all__ = [
    "login",
    "status",
    "token",
    "base_url",
    "set_auth_token",
    "Status",
    "LakeKeyError",
    "NotSignedInError",
    "KeychainError",
    "NetworkError",
    "InvalidInputError",
    "CLINotFoundError",
    "LakeKeyTimeoutError",
    "TeradatamlError",
    "ShortLivedTokenWarning",
    "RenewalFailedWarning",
]



def __getattr__(name: str):
    # The version is the installed package's (Cargo's, through the wheel), never a second copy.
    if name == "__version__":
        return _cli.package_version()
    raise AttributeError(f"module 'lakekey' has no attribute {name!r}")


DEFAULT_MIN_VALID = 60


class ShortLivedTokenWarning(UserWarning):
    """The token lasts less than asked for: the identity provider issues no longer-lived ones."""


class RenewalFailedWarning(UserWarning):
    """A renewal failed (network, server); the token returned is the current one, still valid."""


class Status(NamedTuple):
    """Who is signed in to a profile and until when; never the token."""

    profile: str
    #: ``device``, ``pat`` or ``token``.
    method: str
    signed_in: bool
    #: The token's subject (the database user for a PAT, the identity for the device flow).
    user: Optional[str]
    expires_at: Optional[datetime.datetime]
    #: Whether LakeKey renews the token by itself.
    renewable: bool
    #: Where the secrets are kept: ``secret-service``, ``kernel``, ``credential-manager``, ``macos-keychain``.
    store: Optional[str]


def login(profile: Optional[str] = None, base_url: Optional[str] = None) -> Status:
    """Signs in with the device flow and returns once the sign-in is stored.

    With ``base_url``, the profile is created first with Lake's defaults (named ``profile``, or
    after the environment's organisation when no name is given). An existing profile of that
    name is used only if it already signs in to ``base_url`` with the device flow and Lake's
    default identity provider and client; otherwise the login is refused
    (:class:`LakeKeyError`, ``invalid_input``) and the profile is left as it is. In Jupyter the
    code is shown large with its link, a QR code and a countdown; in a terminal as text.
    Interrupting the kernel (or Ctrl-C) cancels it.
    """
    from . import _login

    if base_url is None and profile is None:
        profile = _profile(None)["name"]
    name = _login.login(profile, _show_notes, base_url)
    return status(name)


def status(profile: Optional[str] = None, timeout: Optional[float] = None) -> Status:
    """Whether ``profile`` is signed in, as whom, and until when (never the token)."""
    name = profile or _profile(None, timeout)["name"]
    answer = json.loads(_cli.run(["status", *_cli.profile_option(name), "--json"], timeout).stdout)
    claims = answer.get("claims") or {}
    user = next((str(claims[k]) for k in ("preferred_username", "email", "sub") if claims.get(k)), None)
    expires_at = answer.get("expires_at")
    return Status(
        profile=str(answer.get("profile", name)),
        method=str(answer.get("method", "")),
        signed_in=bool(answer.get("signed_in")),
        user=user,
        expires_at=datetime.datetime.fromtimestamp(expires_at, datetime.timezone.utc) if isinstance(expires_at, (int, float)) else None,
        renewable=bool(answer.get("can_refresh")),
        store=answer.get("store"),
    )


def token(profile: Optional[str] = None, min_valid: int = DEFAULT_MIN_VALID, timeout: Optional[float] = None) -> str:
    """A bearer token for ``profile`` valid for at least ``min_valid`` seconds, as
    ``lakekey token`` gives it: the stored one, or one refreshed or re-signed just now.

    ``profile`` defaults to ``$LAKEKEY_PROFILE``, then the default profile, then the only one.
    When the identity provider issues tokens shorter than ``min_valid``, the freshest one is
    returned with a :class:`ShortLivedTokenWarning`; when a renewal fails while the current token
    is still valid, that one with a :class:`RenewalFailedWarning`.
    """
    return _issued(profile, min_valid, warn=True, timeout=timeout)["token"]


def _issued(profile: Optional[str], min_valid: int, warn: bool, timeout: Optional[float]) -> dict:
    """`lakekey token --json`: the token, when it expires and when to renew it, the profile and
    its base URL, and the command's version (checked here: one process, not three)."""
    if isinstance(min_valid, bool) or not isinstance(min_valid, int) or min_valid < 0:
        raise InvalidInputError("invalid_input", f"min_valid must be a whole number of seconds, 0 or more (got {min_valid!r}).")
    args = ["token", *_cli.profile_option(profile), "--min-valid", str(min_valid), "--json"]
    answer = _cli.run(args, timeout, version_in_answer=True)
    try:
        issued = json.loads(answer.stdout)
    except ValueError:
        issued = None
    if not isinstance(issued, dict) or "version" not in issued:
        # Not this release's answer: a command of another release says which it is.
        _cli.check_version(_cli.find_cli(), _cli.timeout_or_default(timeout))
        raise error_for("internal", "lakekey token --json gave an answer this package cannot read.")
    _cli.check_answer_version(_cli.find_cli(), issued["version"])
    for note in answer.notes if warn else []:
        if note.kind == "short_lived":
            warnings.warn(note.message, ShortLivedTokenWarning, stacklevel=3)
        elif note.kind == "renewal_failed":
            warnings.warn(note.message, RenewalFailedWarning, stacklevel=3)
    return issued


def base_url(profile: Optional[str] = None, timeout: Optional[float] = None) -> str:
    """The Lake base URL of ``profile`` (what teradataml's ``set_auth_token`` takes)."""
    return str(_profile(profile, timeout)["base_url"])


def set_auth_token(profile: Optional[str] = None, timeout: Optional[float] = None) -> bool:
    """Calls teradataml's ``set_auth_token(base_url=..., auth_token=...)`` with ``profile``'s
    base URL and token, and keeps that token fresh for the life of the process: once it nears
    its expiry, teradataml's next request carries a new one from LakeKey, with no further call.
    Each renewal waits for LakeKey at most ``timeout`` seconds (default 45); when one fails
    while the token is still valid, teradataml goes on with it and LakeKey asks again after 10 s.

    Call it after ``create_context()``: teradataml starts each new context without a token.
    Returns True, as teradataml's own function does.
    """
    from ._teradataml import install_fresh_token

    limit = _cli.timeout_or_default(timeout)
    # One `lakekey token --json` answers everything: the token, its profile and base URL, when
    # to renew. Later renewals ask for the same profile by name. No warnings here: renewing
    # short-lived tokens in time is this function's job.
    asked = {"profile": profile}

    def issue(min_valid: int) -> dict:
        issued = _issued(asked["profile"], min_valid, False, limit)
        asked["profile"] = str(issued["profile"])
        return issued

    return install_fresh_token(issue, limit)


def _profile(profile: Optional[str], timeout: Optional[float] = None) -> dict:
    # `--` before the name: a profile may start with `-`.
    args = ["profile", "show", "--json", *(["--", profile] if profile else [])]
    return json.loads(_cli.run(args, timeout).stdout)


def _show_notes(notes) -> None:
    """Notes outside a notebook view (where secrets are kept, say) go to stderr."""
    for note in notes:
        print(f"lakekey: {note.message}", file=sys.stderr)
