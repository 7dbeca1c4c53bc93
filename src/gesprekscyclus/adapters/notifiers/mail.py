"""An e-mail notifier on the standard library's ``smtplib``.

Each notification becomes one message to one recipient: a plain-text and an HTML version
(``multipart/alternative``), and, when it is about a conversation with a fixed time, a
calendar invitation (``text/calendar; method=REQUEST`` or ``CANCEL``) that mail clients
show with accept/decline buttons. The ``Message-ID`` is derived from the notification's key,
so a message sent again after a crash carries the same id and can be recognised. Its domain,
and that of the invitation's ``UID``, is the sender's unless configured.

>>> message_id("k-1", domain="example.org")
'<7c35c5a1785d20704e44d5de4beb81c1@example.org>'

Headers are folded only where RFC 5322 requires it (lines over 998 characters), so a mail
reader shows each header exactly as written, without a leading space from a fold after the
colon; non-ASCII text travels as RFC 2047 encoded words and reads back unchanged.

Errors follow the notifier contract: SMTP 4xx replies, refused or dropped connections and
time-outs raise :class:`~gesprekscyclus.ports.notifier.TransientNotificationError`; SMTP 5xx
replies, recipients without a usable address, header values that would break the message
(a line break in a name or address, which could smuggle in a ``Bcc:``) and addresses or
messages the ``email`` library refuses raise
:class:`~gesprekscyclus.ports.notifier.PermanentNotificationError`: sending again cannot help,
so the message becomes a dead letter at once instead of being retried.

>>> mailbox("Anna de Vries", "anna@example.org")
'Anna de Vries <anna@example.org>'
>>> mailbox("Anna\\r\\nBcc: eve@example.org", "anna@example.org")
Traceback (most recent call last):
...
gesprekscyclus.ports.notifier.PermanentNotificationError: recipient name: contains a line \
break (U+000D) at position 4; the value must be one line
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Collection
from email.message import EmailMessage
from email.policy import default as _default_policy
from email.utils import format_datetime, formataddr, parseaddr

from gesprekscyclus.adapters.notifiers.ics import Method, invite
from gesprekscyclus.adapters.notifiers.templates import Templates, render
from gesprekscyclus.domain._checks import ClosedSet, check_text
from gesprekscyclus.domain.people import EMAIL_ADDRESS
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.clock import Clock, SystemClock
from gesprekscyclus.ports.notifier import (
    Notification,
    PermanentNotificationError,
    Recipient,
    ReminderKind,
    TransientNotificationError,
)

__all__ = [
    "HEADER_POLICY",
    "INVITE_KINDS",
    "EmailNotifier",
    "SmtpSecurity",
    "build_message",
    "mailbox",
    "message_id",
    "sender_domain",
]

#: Reminder kinds that carry a calendar invitation when the conversation has a fixed time.
INVITE_KINDS: frozenset[ReminderKind] = frozenset(
    {
        ReminderKind.SCHEDULED,
        ReminderKind.CANCELLED,
        ReminderKind.PREPARATION,
        ReminderKind.DAY_BEFORE,
    }
)

_ATTACHMENT_NAME = {Locale.NL: "uitnodiging.ics", Locale.EN: "invitation.ics"}

#: RFC 5322 section 2.1.1: a line MUST NOT exceed 998 characters; folding below that (the
#: email package folds at 78 by default) only adds continuation lines that readers show.
HEADER_POLICY = _default_policy.clone(max_line_length=998)


class SmtpSecurity(ClosedSet):
    """How the connection to the mail server is protected."""

    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


def _one_line(what: str, value: str) -> str:
    """``value`` when it is one line of text; a permanent error naming ``what`` if not."""
    try:
        check_text(what, value, one_line=True)
    except InvalidValueError as error:
        raise PermanentNotificationError(str(error)) from None
    return value


def _address(what: str, address: str) -> str:
    """``address`` as it can go into a header: one ASCII ``local@domain``, the domain in
    IDNA form when it is not ASCII; a permanent error otherwise."""
    _one_line(what, address)
    if not EMAIL_ADDRESS.fullmatch(address) or parseaddr(address)[1] != address:
        raise PermanentNotificationError(f"{what}: {address!r:.200} is not an e-mail address")
    local, _at, domain = address.partition("@")
    if not local.isascii():
        raise PermanentNotificationError(
            f"{what}: {address!r:.200} has a non-ASCII local part, which needs SMTPUTF8"
        )
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise PermanentNotificationError(
                f"{what}: {address!r:.200} has a domain that is not a valid host name"
            ) from None
    return f"{local}@{domain}"


def mailbox(name: str, address: str, *, what: str = "recipient") -> str:
    """The ``Name <address>`` header value, or a permanent error when either part would
    break the header (line breaks, control characters, not one plain address)."""
    return formataddr((_one_line(f"{what} name", name), _address(f"{what} address", address)))


def _sender(sender: str) -> str:
    """The ``From`` value of a configured sender (``HR <hr@example.org>`` or a bare address)."""
    _one_line("sender", sender)
    name, address = parseaddr(sender)
    return mailbox(name, address, what="sender") if name else _address("sender", address)


def message_id(key: str, *, domain: str = "gesprekscyclus") -> str:
    """The ``Message-ID`` for the notification with idempotency ``key``."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def sender_domain(sender: str) -> str:
    """The domain of the ``sender`` address, for ``Message-ID`` and invitation ``UID``.

    >>> sender_domain("HR <hr@Example.org>")
    'example.org'
    """
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2].strip().lower()
    if not domain or "@" not in address:
        raise InvalidValueError("sender", f"not an e-mail address with a domain: {sender!r}")
    return domain


def _organizer(notification: Notification, sender: str) -> Recipient:
    conversation = notification.conversation
    if conversation is not None:
        for person in conversation.participants:
            if person.id == conversation.manager_id and person.email:
                return person
    name, address = parseaddr(sender)
    return Recipient(id=address, name=name or address, role="hr", email=address)


def build_message(
    notification: Notification,
    *,
    sender: str,
    clock: Clock,
    templates: Templates | None = None,
    message_id_domain: str | None = None,
    invite_kinds: Collection[ReminderKind] = INVITE_KINDS,
    uid_domain: str | None = None,
) -> EmailMessage:
    """The e-mail for ``notification``, ready to send; see the module docstring.

    ``message_id_domain`` and ``uid_domain`` default to the domain of ``sender``.
    """
    recipient = notification.recipient
    if not recipient.email:
        raise PermanentNotificationError(
            f"recipient {recipient.id} ({recipient.name}) has no e-mail address"
        )
    rendered = render(notification, templates)
    message = EmailMessage()  # the body parts encode under the default 78-column policy
    message["Subject"] = _one_line("subject", rendered.subject)
    message["From"] = _sender(sender)
    message["To"] = mailbox(recipient.name, recipient.email)
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id(
        notification.key, domain=message_id_domain or sender_domain(sender)
    )
    message["Auto-Submitted"] = "auto-generated"
    message["X-Gesprekscyclus-Key"] = notification.key
    message["X-Gesprekscyclus-Kind"] = notification.kind.value
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    conversation = notification.conversation
    if (
        conversation is not None
        and conversation.starts_at is not None
        and notification.kind in invite_kinds
    ):
        cancel = conversation.cancelled or notification.kind is ReminderKind.CANCELLED
        method: Method = "CANCEL" if cancel else "REQUEST"
        calendar = invite(
            conversation,
            organizer=_organizer(notification, sender),
            method=method,
            stamp=clock.now(),
            locale=recipient.locale,
            uid_domain=uid_domain or sender_domain(sender),
            sent_by=parseaddr(sender)[1],
        )
        message.add_alternative(
            calendar,
            maintype="text",
            subtype="calendar",
            params={"method": method, "charset": "utf-8"},
        )
        message.add_attachment(
            calendar,
            maintype="application",
            subtype="ics",
            filename=_ATTACHMENT_NAME[recipient.locale],
        )
    # Set last: turning the message into a multipart would move Content-* headers inward.
    message["Content-Language"] = rendered.locale.value
    message.policy = HEADER_POLICY  # how the headers are written out
    return message


#: The highest TCP port number.
_MAX_PORT = 65535


class EmailNotifier:
    """Sends each notification as an e-mail through an SMTP server.

    ``security`` is ``"none"``, ``"starttls"`` or ``"ssl"``; ``username`` and ``password``
    log in when given. ``timeout`` (seconds) bounds every network step. ``templates`` overrides
    the built-in texts; ``message_id_domain`` is the right-hand side of the ``Message-ID`` and
    ``uid_domain`` that of the invitation ``UID`` (both the sender's domain unless given).
    ``clock`` stamps the ``Date`` header and the invitation.
    """

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        sender: str,
        security: SmtpSecurity | str = SmtpSecurity.NONE,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        templates: Templates | None = None,
        local_hostname: str | None = None,
        message_id_domain: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        invite_kinds: Collection[ReminderKind] = INVITE_KINDS,
        clock: Clock | None = None,
        uid_domain: str | None = None,
    ):
        if not host.strip():
            raise InvalidValueError("EmailNotifier.host", "must not be blank")
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= _MAX_PORT:
            raise InvalidValueError(
                "EmailNotifier.port", f"{port!r} is not a port", allowed=(f"1 to {_MAX_PORT}",)
            )
        try:
            _sender(sender)
        except PermanentNotificationError as error:
            raise InvalidValueError("EmailNotifier.sender", str(error)) from None
        if timeout <= 0:
            raise InvalidValueError("EmailNotifier.timeout", f"must be positive, got {timeout}")
        if (username is None) != (password is None):
            raise InvalidValueError(
                "EmailNotifier.username", "give both username and password, or neither"
            )
        self.host: str = host
        self.port: int = port
        self.sender = sender
        self.security: SmtpSecurity = SmtpSecurity(security)
        self._credentials = None if username is None else (username, password or "")
        self.timeout = timeout
        self.templates = templates
        self.local_hostname = local_hostname
        self.message_id_domain: str = message_id_domain or sender_domain(sender)
        self.uid_domain: str = uid_domain or sender_domain(sender)
        self._ssl_context = ssl_context
        self.invite_kinds: frozenset[ReminderKind] = frozenset(
            ReminderKind(kind) for kind in invite_kinds
        )
        self._clock: Clock = clock or SystemClock()

    def message_for(self, notification: Notification) -> EmailMessage:
        """The message :meth:`send` would deliver for ``notification``."""
        return build_message(
            notification,
            sender=self.sender,
            clock=self._clock,
            templates=self.templates,
            message_id_domain=self.message_id_domain,
            invite_kinds=self.invite_kinds,
            uid_domain=self.uid_domain,
        )

    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` or raise a transient or permanent notification error."""
        try:
            message = self.message_for(notification)
            refused = message["To"].defects
        except PermanentNotificationError as error:  # a header that would break the message
            raise PermanentNotificationError(
                f"cannot build the e-mail to {notification.recipient.id}: {error.reason}"
            ) from error
        except ValueError as error:  # the same notification would fail the same way again
            raise PermanentNotificationError(
                f"cannot build the e-mail to {notification.recipient.id}: {error}"
            ) from error
        recipient = _address("recipient address", notification.recipient.email or "")
        if refused:
            raise PermanentNotificationError(
                f"e-mail address {recipient!r} of {notification.recipient.id} is not valid:"
                f" {refused[0]}"
            )
        where = f"{self.host}:{self.port}"
        try:
            self._deliver(message, recipient)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = error.recipients.get(recipient, (550, b"recipient refused"))
            raise _from_reply(code, reply, where) from error
        except smtplib.SMTPResponseException as error:
            raise _from_reply(error.smtp_code, error.smtp_error, where) from error
        except smtplib.SMTPNotSupportedError as error:
            raise PermanentNotificationError(f"SMTP server {where}: {error}") from error
        except ValueError as error:  # smtplib refuses the address (line breaks, encoding)
            raise PermanentNotificationError(
                f"SMTP to {where}: the address {recipient!r} is refused: {error}"
            ) from error
        except ssl.SSLCertVerificationError as error:
            raise PermanentNotificationError(
                f"SMTP server {where}: certificate not trusted: {error.verify_message}"
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            problem = "timed out" if isinstance(error, TimeoutError) else str(error) or "failed"
            raise TransientNotificationError(
                f"SMTP server {where}: {type(error).__name__}: {problem}"
            ) from error

    def _deliver(self, message: EmailMessage, recipient: str) -> None:
        context = self._ssl_context or ssl.create_default_context()
        client: smtplib.SMTP
        if self.security is SmtpSecurity.SSL:
            client = smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=context,
            )
        else:
            client = smtplib.SMTP(
                self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
            )
        with client:
            if self.security is SmtpSecurity.STARTTLS:
                client.starttls(context=context)
            if self._credentials is not None:
                client.login(*self._credentials)
            client.send_message(message, from_addr=parseaddr(self.sender)[1], to_addrs=[recipient])


def _from_reply(code: int, reply: bytes | str, where: str) -> Exception:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    reason = f"SMTP {code} from {where}: {text}"
    if 500 <= code < 600:
        return PermanentNotificationError(reason)
    return TransientNotificationError(reason)
