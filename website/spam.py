"""Spam protection of the public forms, with no outside service.

- A honeypot: a text field people never see (moved off screen, `aria-hidden`, out of the
  tab order, labelled "leave this field empty"); robots that fill every field fill it.
- A minimum fill time: the form carries the time it was displayed, signed with the
  secret key (`django.core.signing`); a form sent back sooner than `MIN_FILL_SECONDS`
  after its display is refused, as is a missing, forged or day-old stamp.
- A limit per IP address, counted in Django's cache (shared by the workers when
  REDIS_URL is set): `RATE_LIMIT` posts per `RATE_WINDOW` seconds.

A refused form is shown again with everything that was typed and a message saying why.
"""

import hashlib
import time

from django.core import signing
from django.utils.translation import gettext_lazy as _

from core import ratelimit

HONEYPOT_FIELD = "hp_website"
TIMESTAMP_FIELD = "hp_started"
MIN_FILL_SECONDS = 3
MAX_FORM_AGE = 24 * 60 * 60
RATE_LIMIT = 5
RATE_WINDOW = 10 * 60
SALT = "website.spam.form-started"
HONEYPOT_LABEL = _("Leave this field empty")

MESSAGES = {
    "honeypot": _(
        "Your message was not sent: a field meant to catch robots was filled in (some browsers "
        "do it on their own). Check your message and send it again."
    ),
    "too_fast": _(
        "Your message was not sent: the form came back too quickly after the page was shown, "
        "as robots do. Check your message and send it again."
    ),
    "expired": _("This form had expired and your message was not sent. Check it and send it again."),
    "rate_limited": _(
        "Too many messages were sent from your connection in the last few minutes. Your message "
        "was not sent: wait ten minutes, then send it again. What you typed is kept below."
    ),
}


def timestamp_token(now=None):
    """A signed stamp of the time a form is displayed (`now`, for tests)."""
    return signing.dumps(time.time() if now is None else now, salt=SALT)


def timestamp_problem(token, now=None):
    """None when the stamp is valid and old enough, else "too_fast" or "expired"."""
    try:
        started = signing.loads(str(token or ""), salt=SALT, max_age=MAX_FORM_AGE)
    except signing.BadSignature:  # forged, missing or older than MAX_FORM_AGE
        return "expired"
    if not isinstance(started, int | float):
        return "expired"
    if (time.time() if now is None else now) - started < MIN_FILL_SECONDS:
        return "too_fast"
    return None


def client_address(request):
    # daphne sets REMOTE_ADDR from X-Forwarded-For when BEHIND_PROXY=1 (--proxy-headers).
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(request, *, scope):
    """Count one post from the request's address for `scope`; True past the limit."""
    digest = hashlib.sha256(f"{scope}|{client_address(request)}".encode()).hexdigest()
    return ratelimit.hit(f"website:rate:{digest}", limit=RATE_LIMIT, window=RATE_WINDOW)
