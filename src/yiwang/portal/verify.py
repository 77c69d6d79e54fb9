"""证照核验: the public page that checks an e-license's QR in the visitor's browser.

Everything is checked by license-verify.js (docs/licenses.md "Verifying a QR"): the issuer's
signature against the published key, the current public status, and the ledger's inclusion
proof of that status. The QR text itself never reaches the server: the page's controls have
no `name` (a form submitted without script sends nothing), a shared verify link carries the
note in the URL fragment, and the only requests are the public key, the status of the
identifier and the ledger proof.

Headers: the global CSP is enough (the camera stream is a `srcObject`, an uploaded photo is
read with `createImageBitmap`: neither is a URL load that `img-src`/`media-src` govern), so
it is not widened. The global Permissions-Policy denies the camera; this page alone allows it
for its own origin so that scanning with the camera works.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=()"


@require_safe
def license_verify(request: HttpRequest) -> HttpResponse:
    response = render(request, "portal/license_verify.html")
    response["Permissions-Policy"] = PERMISSIONS_POLICY
    return response
