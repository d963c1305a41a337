"""lakekey in real Jupyter kernels (ipykernel, run by nbclient and jupyter_client) on a machine
with no desktop keychain: scripts/test-python runs this file with no D-Bus session, so secrets go
to the kernel keyring. The sign-in shows its code, link and QR code as rich output and is
approved from what the cell shows; teradataml's header carries a token the IdP accepts, and a
renewed one after the 20 s token lifetime with no further call; a second kernel needs no new
sign-in; eight kernels renewing at once cause one refresh; interrupting a sign-in cancels it."""

import base64
import html
import json
import os
import re
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import jupyter_client
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import LAKEKEY, STORE, approve, cli, sha256, wait_for

TESTS = Path(__file__).resolve().parent
pytestmark = pytest.mark.skipif(STORE != "kernel", reason="runs where no desktop keychain answers (scripts/test-python, no D-Bus)")


def notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    return nb


def execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Runs every cell in a fresh kernel, with this test's environment (config dir, PYTHONPATH)."""
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(TESTS)}}).execute()
    return nb


def texts(cell) -> str:
    """Everything a cell showed as text: streams, and the plain-text form of rich output."""
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def shown_html(cell) -> str:
    return "".join(out.get("data", {}).get("text/html", "") for out in cell.get("outputs", []))


def qr_payload(svg_base64: str) -> str:
    """What a phone reads from the QR code: the SVG drawn (rsvg-convert) and decoded (zbarimg)."""
    with tempfile.TemporaryDirectory() as d:
        svg, png = Path(d) / "qr.svg", Path(d) / "qr.png"
        svg.write_bytes(base64.b64decode(svg_base64))
        subprocess.run(["rsvg-convert", "-w", "400", "-b", "white", "-o", str(png), str(svg)], check=True)
        done = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, encoding="utf-8")
        return done.stdout.strip()


def requests_seen(idp):
    return [(s["ok"], s["kind"], s["sha256"]) for s in idp.stats()["services"]]


TERADATAML = """
import lakekey, teradataml, tdml_context
tdml_context.fake_context()
lakekey.set_auth_token({profile!r})
teradataml.list_user_envs()
"""


def test_a_notebook_signs_in_and_teradataml_stays_fresh(start_idp):
    # The profile is made from the base URL with Lake's defaults: org `127`, client `127-oaf-device`.
    idp = start_idp("--interval", "1", "--access-ttl", "20", "--client-id", "127-oaf-device")
    nb = notebook(
        # teradataml is imported before the sign-in: its import takes seconds, which would
        # otherwise eat into the 20 s token's first half and renew it in the second cell.
        "import teradataml, tdml_context\n"
        f"import lakekey\nstatus = lakekey.login(profile='nb', base_url={idp.base_url!r})\nprint('signed in:', status.signed_in, status.store)",
        TERADATAML.format(profile="nb"),
        "import time\ntime.sleep(21)\nteradataml.list_user_envs()",
    )
    seen = {}

    def approve_from_the_cell():
        # What the user sees: the code, the link and the QR code, in the cell's rich output.
        def code_shown():
            page = shown_html(nb.cells[0])
            return page if "lakekey-code" in page else None

        assert wait_for(lambda: code_shown() is not None, 120), "no code was shown"
        page = code_shown()
        seen["page"] = page
        seen["plain"] = texts(nb.cells[0])
        seen["code"] = html.unescape(re.search(r'class="lakekey-code"[^>]*><b>([^<]+)</b>', page).group(1))
        seen["link"] = html.unescape(re.search(r'<a href="([^"]+)"', page).group(1))
        seen["qr"] = qr_payload(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1))
        approve(seen["link"])

    approver = threading.Thread(target=approve_from_the_cell)
    approver.start()
    execute(nb)
    approver.join()

    assert "signed in: True kernel" in texts(nb.cells[0])
    assert seen["code"] in seen["link"] and seen["qr"] == seen["link"], seen
    assert "The code expires in" in seen["page"] and "Open " in seen["plain"], "a countdown, and a plain-text form"
    # RFC 10027: who asks, on which machine and for what, and when not to enter the code, in the
    # command's words; declining is interrupting the kernel, said beside it.
    page = html.unescape(seen["page"])
    assert f"LakeKey on {socket.gethostname()} asks to sign in to {idp.base_url} (profile nb)" in page, page
    assert "Enter this code only if you started this sign-in just now, on this machine." in page, page
    assert "interrupt the kernel" in page
    # The codes never reach a warning or the log: only the output that shows it to the user.
    codes = idp.stats()["deviceCodes"][0]
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":
                assert codes["device_code"] not in output.get("text", ""), "no device code on stderr"
    # Said once where the secrets are kept, in the notebook's output.
    assert "kernel keyring" in texts(nb.cells[0]) + shown_html(nb.cells[0])
    assert "Signed in" in shown_html(nb.cells[0])

    first, second = requests_seen(idp)
    assert first[:2] == (True, "access_token") and second[:2] == (True, "access_token"), (first, second)
    assert first[2] != second[2], "a renewed token after the first one's 20 s"
    assert len(idp.stats()["refreshes"]) == 1
    token = cli("token", "--profile", "nb", "--min-valid", "0").stdout.strip()
    assert second[2] == sha256(token)
    for cell in nb.cells:
        assert token not in texts(cell) + shown_html(cell), "no token in any output"

    # A second kernel: the stored sign-in, no new device code.
    devices = idp.stats()["deviceRequests"]
    other = execute(notebook(TERADATAML.format(profile="nb")))
    assert idp.stats()["deviceRequests"] == devices
    assert requests_seen(idp)[-1][0] is True, texts(other.cells[0])

    # Eight kernels whose tokens come due at the same moment: one refresh between them.
    go = TESTS.parent / ".." / "target" / f"go-{os.getpid()}"
    go = go.resolve()
    go.unlink(missing_ok=True)
    waiting = "import os, time\nwhile not os.path.exists({go!r}):\n    time.sleep(0.05)\nteradataml.list_user_envs()\nprint('done')"
    books = [notebook(TERADATAML.format(profile="nb") + "\nprint('ready')", waiting.format(go=str(go))) for _ in range(8)]
    runs = [threading.Thread(target=execute, args=(book,)) for book in books]
    for run in runs:
        run.start()
    assert wait_for(lambda: all("ready" in texts(b.cells[0]) for b in books), 180), "all eight kernels are ready"
    issued = json.loads(cli("token", "--profile", "nb", "--min-valid", "0", "--json").stdout)
    refreshes = len(idp.stats()["refreshes"])
    before = len(idp.stats()["services"])
    # Half the token's life gone: every kernel renews before its next request.
    time.sleep(max(0, issued["expires_at"] - issued["lifetime"] // 2 - time.time() + 0.5))
    go.touch()
    for run in runs:
        run.join()
    go.unlink()
    assert all("done" in texts(b.cells[1]) for b in books), [texts(b.cells[1]) for b in books]
    assert len(idp.stats()["refreshes"]) == refreshes + 1, "one refresh for eight kernels"
    renewed = requests_seen(idp)[before:]
    assert len(renewed) == 8 and len({digest for _, _, digest in renewed}) == 1 and all(ok for ok, _, _ in renewed), renewed
    cli("logout", "--profile", "nb")


def test_interrupting_the_kernel_cancels_a_sign_in(start_idp):
    idp = start_idp("--interval", "1", "--client-id", "127-oaf-device")
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3", cwd=str(TESTS))
    try:
        msg_id = client.execute(f"import lakekey\nlakekey.login(profile='nb-cancel', base_url={idp.base_url!r})")
        shown = ""
        deadline = time.monotonic() + 120
        while "lakekey-code" not in shown and time.monotonic() < deadline:
            msg = client.get_iopub_msg(timeout=120)
            shown += msg["content"].get("data", {}).get("text/html", "")
        assert "lakekey-code" in shown, "the code was shown"
        link = html.unescape(re.search(r'href="([^"]*user_code=[^"]*)"', shown).group(1))
        # Jupyter signals the kernel's whole process group; lakekey runs in a group of its own,
        # so what stops it is the package's own cancel path.
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = client.get_shell_msg(timeout=60)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt", reply["content"]
        ours = subprocess.run(["pgrep", "-f", "--", "--profile=nb-cancel"], capture_output=True, encoding="utf-8")
        assert ours.stdout.strip() == "", "the lakekey child is gone while the kernel still runs"
        cancelled = ""
        deadline = time.monotonic() + 30
        while "cancelled" not in cancelled and time.monotonic() < deadline:
            try:
                msg = client.get_iopub_msg(timeout=2)
            except Exception:
                continue
            cancelled += msg["content"].get("data", {}).get("text/html", "")
        assert "cancelled" in cancelled, "the cell says so"
        # Approved after the interrupt: nobody polls any more, so nothing is stored.
        approve(link)
        time.sleep(3)
        assert json.loads(cli("status", "--profile", "nb-cancel", "--json").stdout)["signed_in"] is False, "nothing stored"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert LAKEKEY


def test_interrupting_the_kernel_during_a_refresh_keeps_the_rotated_token(start_idp):
    from conftest import sign_in_with_device_flow

    idp = start_idp("--interval", "1", "--access-ttl", "4")
    sign_in_with_device_flow(idp, "nb-refresh")
    # The answer is held 8 s: the interrupt below lands while the refresh is in flight.
    idp.control({"refreshDelayMs": 8000, "accessTtl": 600})
    time.sleep(2.5)  # due for renewal
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3", cwd=str(TESTS))
    try:
        msg_id = client.execute("import lakekey\nlakekey.token('nb-refresh')")
        assert wait_for(lambda: len(idp.stats()["refreshes"]) == 1, 60), "the refresh reached the IdP"
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = client.get_shell_msg(timeout=60)
        assert reply["content"]["ename"] == "KeyboardInterrupt", reply["content"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    # The interrupted process saved the rotated refresh token before it ended: the next token
    # needs no sign-in, and the IdP saw no refresh token used twice.
    idp.control({"refreshDelayMs": 0, "accessTtl": 4})
    token = cli("token", "--profile", "nb-refresh", "--json").stdout
    assert json.loads(token)["expires_at"] > time.time() + 300, "the token the interrupted refresh saved"
    refreshes = idp.stats()["refreshes"]
    assert [r["status"] for r in refreshes] == [200], refreshes
    cli("logout", "--profile", "nb-refresh", "--local-only")
