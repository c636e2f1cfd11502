"""SMTP delivery with smtplib (SSL/TLS, STARTTLS or none); every failure becomes a typed, clear error.

A message is delivered all-or-nothing: every recipient is checked (RCPT) before the content is
sent (DATA), so a refused address aborts the send instead of mailing only some recipients.
"""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from invoicer.core.errors import InvoicerError, Message
from invoicer.i18n import N_

SECURITY_MODES = ("ssl", "starttls", "none")
SECURITY_TITLES = {"ssl": "SSL/TLS", "starttls": "STARTTLS", "none": N_("none (unencrypted)")}
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
DEFAULT_TIMEOUT = 30.0


class MailError(InvoicerError):
    """Mail could not be sent; nothing was delivered."""


class MailUnreachableError(MailError):
    """The server cannot be found or reached, or dropped the connection."""


class MailTimeoutError(MailError):
    """The server did not answer in time."""


class MailTLSError(MailError):
    """The encrypted connection failed (certificate, protocol, or the wrong port for the mode)."""


class MailAuthError(MailError):
    """The server refused the login."""


class MailRecipientError(MailError):
    """The server refused one or more recipients (or the sender address)."""

    def __init__(self, message: str | Message, /, refused: Sequence[str] = (), **values: object) -> None:
        super().__init__(message, **values)
        self.refused = tuple(refused)


class MailRejectedError(MailError):
    """The server refused the message itself (size, content, policy)."""


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to connect; the password is passed separately and never stored here."""

    host: str
    port: int
    security: str
    user: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {' '.join(text.split())}".strip()


def _translate(exc: BaseException, config: SmtpConfig) -> MailError:
    """The user's message for anything smtplib, ssl or the socket layer raised."""
    where = config.where
    mode = Message(SECURITY_TITLES.get(config.security, config.security))
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailAuthError(
            N_("The mail server {where} refused the login for '{user}' ({reply}). Check the user name and "
               "password (invoicer mail set)."),
            where=where, user=config.user, reply=_reply(exc),
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = list(exc.recipients)
        reasons = "; ".join(f"{addr}: {_reply(smtplib.SMTPResponseException(*exc.recipients[addr]))}"
                            for addr in refused)
        return MailRecipientError(
            N_("The mail server {where} refused the recipient(s) {reasons}."), refused, where=where, reasons=reasons
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return MailRecipientError(
            N_("The mail server {where} refused the sender address {sender} ({reply}); use the address of the "
               "mailbox you log in to."),
            where=where, sender=exc.sender, reply=_reply(exc),
        )
    if isinstance(exc, smtplib.SMTPDataError):
        return MailRejectedError(
            N_("The mail server {where} refused the message ({reply})."), where=where, reply=_reply(exc)
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailError(
            N_("The mail server {where} answered with an error ({reply})."), where=where, reply=_reply(exc)
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError):
        # smtplib turns a read timeout into "Connection unexpectedly closed: timed out"
        return _translate(exc.__context__, config)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailUnreachableError(
            N_("The mail server {where} closed the connection unexpectedly; check the port and the security "
               "setting ({mode})."),
            where=where, mode=mode,
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailTLSError(
            N_("The certificate of the mail server {where} cannot be trusted ({reason}); check the host name."),
            where=where, reason=exc.verify_message,
        )
    if isinstance(exc, ssl.SSLError):
        return MailTLSError(
            N_("The secure connection to {where} failed ({reason}). Check the port and the security setting: "
               "{mode} was chosen (SSL/TLS is usually port 465, STARTTLS 587)."),
            where=where, reason=str(exc.reason or exc), mode=mode,
        )
    if isinstance(exc, TimeoutError):
        return MailTimeoutError(
            N_("The mail server {where} did not answer within {seconds} seconds."),
            where=where, seconds=f"{config.timeout:g}",
        )
    if isinstance(exc, socket.gaierror):
        return MailUnreachableError(
            N_("The mail server name '{host}' cannot be found; check it and the network connection."),
            host=config.host,
        )
    if isinstance(exc, ConnectionRefusedError):
        return MailUnreachableError(
            N_("The mail server {where} refused the connection; check the host and port."), where=where
        )
    if isinstance(exc, smtplib.SMTPException):
        return MailError(N_("Sending through {where} failed: {reason}."), where=where, reason=str(exc))
    if isinstance(exc, OSError):
        return MailUnreachableError(
            N_("The mail server {where} cannot be reached ({reason})."), where=where, reason=str(exc.strerror or exc)
        )
    raise TypeError(f"not a mail error: {exc!r}")


@contextmanager
def _translated(config: SmtpConfig) -> Iterator[None]:
    try:
        yield
    except MailError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        raise _translate(exc, config) from None


def _local_name() -> str:
    # EHLO needs a name; socket.getfqdn() (smtplib's default) may query DNS, which we never want
    name = socket.gethostname().strip()
    return name if name and name.isascii() else "localhost"


class SmtpConnection:
    """An open SMTP session, logged in when a user is configured."""

    def __init__(self, smtp: smtplib.SMTP, config: SmtpConfig) -> None:
        self._smtp = smtp
        self.config = config

    def send(self, message: EmailMessage, sender: str, recipients: Sequence[str]) -> None:
        """Deliver ``message`` to ``recipients`` (envelope), all of them or none."""
        data = message.as_bytes(policy=SMTP_POLICY)
        smtp = self._smtp
        with _translated(self.config):
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.mail(sender)
            if code != 250:
                self._reset()
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            refused = {}
            for address in recipients:
                code, reply = smtp.rcpt(address)
                if code not in (250, 251):
                    refused[address] = (code, reply)
            if refused:
                self._reset()
                raise smtplib.SMTPRecipientsRefused(refused)
            code, reply = smtp.data(data)
            if code != 250:  # smtplib returns, not raises, a refusal of the content itself
                self._reset()
                raise smtplib.SMTPDataError(code, reply)

    def check(self) -> None:
        """A NOOP round trip: the session really works."""
        with _translated(self.config):
            code, reply = self._smtp.noop()
        if code != 250:
            raise MailError(
                N_("The mail server {where} answered {code} to a NOOP ({reply})."),
                where=self.config.where, code=code, reply=repr(reply),
            )

    def _reset(self) -> None:
        # abandon the envelope so the session stays usable for the next message
        try:
            self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            return

    def close(self) -> None:
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()


def _open(config: SmtpConfig, context: ssl.SSLContext) -> smtplib.SMTP:
    if config.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config.host, config.port, local_hostname=_local_name(), timeout=config.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(config.host, config.port, local_hostname=_local_name(), timeout=config.timeout)
    try:
        smtp.ehlo()
        if config.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise MailTLSError(
                    N_("The mail server {where} does not offer STARTTLS; choose SSL/TLS (usually port 465) or ask "
                       "the provider for the right settings."),
                    where=config.where,
                )
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    if (user + password).isascii():
        smtp.login(user, password)
        return
    # smtplib encodes credentials as ASCII and fails on "Pässword"; PLAIN (RFC 4616) and LOGIN carry UTF-8
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in offered:
        code, reply = smtp.docmd("AUTH", "PLAIN " + _b64(b"\0" + user.encode() + b"\0" + password.encode()))
    elif "LOGIN" in offered:
        code, reply = smtp.docmd("AUTH", "LOGIN " + _b64(user.encode()))
        if code == 334:
            code, reply = smtp.docmd(_b64(password.encode()))
    else:
        raise MailAuthError(
            N_("The mail server offers no login method for a password with non-ASCII characters (PLAIN or LOGIN).")
        )
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


@contextmanager
def connect(config: SmtpConfig, password: str | None, context: ssl.SSLContext | None = None) -> Iterator[SmtpConnection]:
    """An SMTP session for the duration of the ``with`` block; raises MailError subclasses."""
    if config.security not in SECURITY_MODES:
        raise MailError(N_("Unknown mail security '{mode}'; use ssl, starttls or none."), mode=config.security)
    context = context or ssl.create_default_context()
    with _translated(config):
        smtp = _open(config, context)
    connection = SmtpConnection(smtp, config)
    try:
        if config.user:
            with _translated(config):
                if not smtp.has_extn("auth"):
                    raise MailAuthError(
                        N_("The mail server {where} does not offer a login on this connection ({mode}); choose "
                           "encryption or leave the user name empty."),
                        where=config.where, mode=Message(SECURITY_TITLES[config.security]),
                    )
                _login(smtp, config.user, password or "")
        yield connection
    finally:
        connection.close()


def check_connection(config: SmtpConfig, password: str | None, context: ssl.SSLContext | None = None) -> None:
    """Connect, secure and log in, then leave: what "Test connection" does."""
    with connect(config, password, context) as connection:
        connection.check()
