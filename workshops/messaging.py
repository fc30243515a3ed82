"""Telling a registered person something: in the app for a member (`core.services.notify`,
which also e-mails them as they chose), by e-mail for a visitor (after the commit; a mail
server failure is logged and never undoes what was saved). A person registered at the venue
without an e-mail is not told: the venue calls them (their phone is on the list).

Every workshop service that tells someone goes through `tell`, so nobody forgets the
visitors, and their e-mails always carry their personal link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.services import absolute_url, email_on_commit, notify

if TYPE_CHECKING:
    from members.models import User
    from workshops.models import Registration



def email(*, to: str, subject: Any, template: str, context: dict[str, Any]) -> None:
    """Send an e-mail in French once the transaction commits (`subject` may be lazy)."""
    email_on_commit(to=to, subject=subject, template=template, context=context)


def tell(registration: Registration, *, verb: str, subject: Any, template: str, target: Any = None,
         actor: User | None = None, url: str | None = None, context: dict[str, Any] | None = None,
         target_label: str | None = None) -> None:
    """Tell the person of `registration`: a notification (`verb`, registered with
    `core.notifications.register_verb`) for a member, else the e-mail `template` (plain text,
    rendered with `registration`, `session`, `workshop`, `link`: their personal link, and
    `context`) when they gave an address."""
    session = registration.session
    if registration.user_id is not None:
        notify(recipient=registration.user, verb=verb, target=target or session, actor=actor,
               url=url or session.get_absolute_url(), target_label=target_label)
        return
    if not registration.email:
        return
    email(
        to=registration.email, subject=subject, template=template,
        context={
            "registration": registration, "session": session, "workshop": session.workshop,
            "link": absolute_url(registration.get_token_url()), **(context or {}),
        },
    )
