"""证照核验 page (/licenses/verify): public, strict headers, and the QR never goes to the server.

The checks themselves run in the browser (tests/journeys/test_license_verify_journey.py);
here: the page, its headers, its links, the status endpoint's caching, and that the JS check
character agrees with yiwang.core.identifiers (the same algorithm, run in Node when present).
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from yiwang.core.identifiers import mod37_36_check_char
from yiwang.licenses.tests.helpers import issue

pytestmark = pytest.mark.django_db

JS = Path(__file__).resolve().parents[2] / "static" / "yiwang" / "js"


def test_the_page_is_public_and_links_what_an_offline_verifier_needs() -> None:
    response = Client().get("/licenses/verify")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>电子证照核验</h1>" in html
    assert 'href="/api/v1/licenses/key"' in html and 'href="/api/v1/ledger/key"' in html
    assert "yiwang-verify license" in html
    for script in ("vendor/jsqr/jsQR.js", "js/ledger-core.js", "js/license-scan.js", "js/license-verify.js"):
        assert f"/static/yiwang/{script}" in html, script
    assert 'accept="image/*"' in html and 'capture="environment"' in html


def test_the_qr_text_is_never_submitted_to_the_server() -> None:
    html = Client().get("/licenses/verify").content.decode()
    form = re.search(r"<form [^>]*data-verify-form.*?</form>", html, re.S)
    assert form, "the verify form is missing"
    # No named control: a submission (even without script) carries no note in the URL or body.
    assert not re.search(r"<(textarea|input|select)\b[^>]*\bname=", form.group(0)), form.group(0)
    assert 'method="post"' not in form.group(0)


def test_the_page_keeps_the_strict_csp_and_allows_the_camera_for_itself_only() -> None:
    response = Client().get("/licenses/verify")
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "blob:" not in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "camera=()" in Client().get("/").headers["Permissions-Policy"]  # elsewhere still denied


def test_only_get_and_head() -> None:
    assert Client().post("/licenses/verify", {"note": "x"}).status_code == 405


def test_home_page_and_footer_link_to_the_page(world: None) -> None:
    html = Client().get("/").content.decode()
    assert html.count('href="/licenses/verify"') == 2  # the home section and the footer
    assert 'href="/licenses/verify"' in Client().get("/guide/").content.decode()


def test_the_status_endpoint_is_never_cached(world: None) -> None:
    license = issue()
    response = Client().get(f"/api/v1/licenses/status/{license.identifier}")
    assert response.status_code == 200 and response.json()["status"] == "valid"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node to run the page's script")
def test_the_scripts_check_character_agrees_with_the_server() -> None:
    bodies = ["A12425GABC1234002", "1215631000", "12156300052111000" + "DEMO00SAMR002" + "91370100MA3C1234X50000012001"]
    bodies += [f"{i:05d}ZZ{i * 7919:09d}" for i in range(0, 2000, 37)]
    script = (
        "globalThis.window = globalThis; window.YiwangLedger = {};"
        "globalThis.document = {readyState: 'complete', querySelector: () => null};"
        + (JS / "license-verify.js").read_text(encoding="utf-8")
        + f"\nconsole.log(JSON.stringify({bodies!r}.map(window.YiwangLicense.mod3736)));"
    )
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=30)  # noqa: S603
    out = done.stdout
    assert out.strip() == "[" + ",".join(f'"{mod37_36_check_char(b)}"' for b in bodies) + "]"
    assert out.startswith('["M",')  # the documented vector
