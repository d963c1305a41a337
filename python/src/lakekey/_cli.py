"""Running the ``lakekey`` CLI: where it is, and its failures as exceptions."""

import json
import os
import shutil
import subprocess
from typing import List, Optional, Sequence, Tuple

from .errors import CLINotFoundError, LakeKeyError, error_for

# Exit codes of the CLI (its README), for failures that come before it can report in JSON.
_CODE_BY_EXIT = {2: "usage", 3: "sign_in_required", 4: "keychain_unavailable", 5: "network", 6: "invalid_input", 130: "cancelled"}


def find_cli() -> str:
    """``$LAKEKEY_BIN`` if set, else ``lakekey`` on ``PATH``."""
    explicit = os.environ.get("LAKEKEY_BIN")
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return explicit
        raise CLINotFoundError(
            "cli_not_found",
            f"LAKEKEY_BIN is set to {explicit!r}, which is not an executable file.",
            "Point LAKEKEY_BIN at the lakekey command, or unset it to use the one on PATH.",
        )
    found = shutil.which("lakekey")
    if found is None:
        raise CLINotFoundError(
            "cli_not_found",
            "The lakekey command is not on PATH.",
            "Install LakeKey (its package puts lakekey in /usr/bin), or set LAKEKEY_BIN to the lakekey executable.",
        )
    return found


def run(args: Sequence[str]) -> Tuple[str, List[str]]:
    """Runs ``lakekey ARGS``; returns its stdout and its stderr lines (notes). Raises the
    matching :class:`LakeKeyError` when it fails."""
    command = [find_cli(), "--error-format", "json", *args]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    except OSError as e:
        raise CLINotFoundError("cli_not_found", f"The lakekey command could not be started ({e}).") from None
    notes = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode == 0:
        return done.stdout, notes
    raise _failure(done.returncode, notes)


def _failure(exit_code: int, stderr_lines: List[str]) -> LakeKeyError:
    for line in reversed(stderr_lines):
        report = _json_error(line)
        if report is not None:
            return error_for(report.get("code", "internal"), report.get("message", ""), report.get("hint"), exit_code)
    # Argument errors are reported by the CLI's parser, as text.
    text = " ".join(line.strip() for line in stderr_lines) or f"lakekey exited with code {exit_code}."
    return error_for(_CODE_BY_EXIT.get(exit_code, "internal"), text, None, exit_code)


def _json_error(line: str) -> Optional[dict]:
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    error = value.get("error") if isinstance(value, dict) else None
    return error if isinstance(error, dict) else None
