"""QR codes of the site's pages (a voucher card, an equipment label), as SVG responses."""

import qrcode
import qrcode.image.svg
from django.http import HttpResponse


def qr_svg_response(url: str) -> HttpResponse:
    """An SVG QR code of `url` (absolute), cacheable by the browser for an hour."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    response = HttpResponse(image.to_string(encoding="unicode"), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response
