"""LakeKey's errors as Python exceptions.

Each carries the stable ``code`` the CLI reports (``lakekey --error-format json``), the CLI's
``message`` and, when there is one, a ``hint`` saying what to do. Match on the class or on
``code``, never on the message text.
"""

from typing import Optional


def phrased(action: Optional[dict]) -> Optional[str]:
    """What the user can do (the CLI's ``action``), in this package's terms: its functions where
    it has one, else the command."""
    if not isinstance(action, dict):
        return None
    kind, profile = action.get("kind"), action.get("profile")
    login = f"lakekey.login({profile!r})" if profile else "lakekey.login()"
    forget = f"`lakekey logout --profile {profile} --local-only`" if profile else "`lakekey logout --local-only`"
    return {
        "sign_in": "Sign in again with your PAT and key (the LakeKey app, or `lakekey pat import`)." if action.get("pat") else f"Call {login}.",
        "sign_in_or_forget": f"Call {login} to replace what is stored, or forget it with {forget}.",
        "forget_locally": f"Forget the credentials without revoking them: {forget}.",
        "choose_profile": "Pass profile='NAME' (or set LAKEKEY_PROFILE).",
        "list_profiles": "See the profiles with `lakekey profile list`, or add one with lakekey.login(base_url=...).",
        "add_profile": "Add one with lakekey.login(base_url=...).",
        "sign_out_unused": "Sign out of profiles you no longer use (`lakekey logout --profile NAME`).",
        "run_outside_container": "Run LakeKey outside the container and pass the token in (`lakekey exec`).",
    }.get(str(kind))


class LakeKeyError(Exception):
    """Any LakeKey failure. ``code`` is stable; ``message`` and ``hint`` are for people, and
    ``action`` says what can be done (``{"kind": "sign_in", "profile": ...}``, for programs)."""

    code: str
    message: str
    hint: Optional[str]
    exit_code: Optional[int]
    action: Optional[dict]

    def __init__(self, code: str, message: str, hint: Optional[str] = None, exit_code: Optional[int] = None, action: Optional[dict] = None) -> None:
        what = " ".join(part for part in (hint, phrased(action)) if part)
        super().__init__(message if not what else f"{message}\nhint: {what}")
        self.code = code
        self.message = message
        self.hint = hint
        self.exit_code = exit_code
        self.action = action


class NotSignedInError(LakeKeyError):
    """Sign in first (or again): ``sign_in_required``, ``access_denied``, ``code_expired``."""


class KeychainError(LakeKeyError):
    """The OS keychain is missing or locked: ``keychain_unavailable``, ``keychain_locked``."""


class NetworkError(LakeKeyError):
    """The identity provider or Lake could not be reached, or answered wrongly: ``network``, ``server``."""


class InvalidInputError(LakeKeyError, ValueError):
    """A value is wrong: ``invalid_input``, ``profile_not_found``, ``config_corrupt``,
    ``rejected`` (Lake refused the PAT), ``usage`` (a bad argument to the CLI)."""


class CLINotFoundError(LakeKeyError):
    """The ``lakekey`` command is not installed where this package looks (``cli_not_found``), or
    it is a version this package does not understand (``cli_version``)."""


class LakeKeyTimeoutError(LakeKeyError, TimeoutError):
    """``lakekey`` did not answer within the time limit and was stopped: ``timeout``. A keychain
    waiting for someone to unlock it, another process holding the refresh lock, or a slow
    network. The limit is the ``timeout`` argument, else ``$LAKEKEY_TIMEOUT``, else 45 s."""


class TeradatamlError(LakeKeyError):
    """teradataml is missing, or is a version whose token LakeKey cannot keep fresh:
    ``teradataml_missing``, ``teradataml_unsupported``."""


_BY_CODE = {
    "sign_in_required": NotSignedInError,
    "access_denied": NotSignedInError,
    "code_expired": NotSignedInError,
    "keychain_unavailable": KeychainError,
    "keychain_locked": KeychainError,
    "network": NetworkError,
    "server": NetworkError,
    "invalid_input": InvalidInputError,
    "profile_not_found": InvalidInputError,
    "config_corrupt": InvalidInputError,
    "rejected": InvalidInputError,
    "usage": InvalidInputError,
    "cli_not_found": CLINotFoundError,
    "cli_version": CLINotFoundError,
    "timeout": LakeKeyTimeoutError,
}


def error_for(code: str, message: str, hint: Optional[str] = None, exit_code: Optional[int] = None, action: Optional[dict] = None) -> LakeKeyError:
    """The exception for one of the CLI's error codes (``LakeKeyError`` for codes it does not know)."""
    return _BY_CODE.get(code, LakeKeyError)(code, message, hint, exit_code, action)
