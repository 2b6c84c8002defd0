"""SMTP transport: verified STARTTLS, login from an environment variable, one outcome per message.

The conversation is driven step by step (MAIL, RCPT, DATA) rather than through
``sendmail`` so the outcome is exact for the single recipient each message has:

* a 4xx reply or a lost connection *before* DATA → :class:`TransientError` (retry),
* a 5xx reply (e.g. 550 on RCPT) → :class:`PermanentError` (record, never retry),
* a lost connection or timeout *during* DATA → :class:`UnknownOutcome`: the server may
  have accepted the message, so it is not retried automatically.

Anything that needs a person (no STARTTLS offered, bad certificate, login refused, the
password variable unset) raises :class:`reporter.errors.DeliveryError` before any message
data is sent.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage

from reporter.config import Email
from reporter.errors import DeliveryError


class TransientError(Exception):
    """Worth trying again later (4xx reply, connection refused or dropped before DATA)."""


class PermanentError(Exception):
    """The server refused for good (5xx); retrying would not help."""


class UnknownOutcome(Exception):
    """The connection broke during DATA: the message may or may not have been accepted."""


def password(settings: Email, environ: Mapping[str, str] | None = None) -> str | None:
    """The SMTP password from the environment variable named in config (None without login)."""
    if not settings.username:
        return None
    env = os.environ if environ is None else environ
    value = env.get(settings.password_env)
    if not value:
        raise DeliveryError(
            f"environment variable {settings.password_env} is not set: it must hold the SMTP"
            f" password for {settings.username}",
            hint=f"export {settings.password_env}=... in the service's environment (see"
            " docs/delivery.md); passwords never go in config.toml",
        )
    return value


def _reply(code: int, resp: bytes | str) -> str:
    text = resp.decode(errors="replace") if isinstance(resp, bytes) else str(resp)
    return f"{code} {text}".strip()


def _refusal(code: int, resp: bytes | str, what: str) -> Exception:
    reason = f"{what}: {_reply(code, resp)}"
    return TransientError(reason) if 400 <= code < 500 else PermanentError(reason)


class SmtpTransport:
    """Sends one message per call over a connection opened on first use."""

    name = "smtp"

    def __init__(self, settings: Email, environ: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self._password = password(settings, environ)  # fail before anything is queued
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.host}:{s.port}"
        context = ssl.create_default_context()
        try:
            if s.port == 465:  # implicit TLS ("SMTPS")
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo()
        except ssl.SSLError as exc:
            raise _tls_error(where, exc) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientError(f"cannot connect to {where}: {exc}") from None
        try:
            if s.starttls and s.port != 465:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"{where} does not offer STARTTLS, so nothing was sent (the password"
                        " and the briefings would otherwise cross the network in clear)",
                        hint="use the server's submission port (587) or, only for a relay on"
                        " this machine, set starttls = false in [email]",
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, self._password or "")
        except ssl.SSLError as exc:
            _close(smtp)
            raise _tls_error(where, exc) from None
        except smtplib.SMTPAuthenticationError as exc:
            _close(smtp)
            reply = _reply(exc.smtp_code, exc.smtp_error)
            raise DeliveryError(
                f"{where} refused the login for {s.username}: {reply}",
                hint=f"check the username in [email] and the password in {s.password_env}",
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _close(smtp)
            if isinstance(exc, smtplib.SMTPNotSupportedError):
                raise DeliveryError(f"{where}: {exc}", hint="check [email] settings") from None
            raise TransientError(f"{where}: {exc}") from None
        except DeliveryError:
            _close(smtp)
            raise
        return smtp

    def send(self, msg: EmailMessage) -> str | None:
        """Send ``msg`` to its single ``To`` address. Returns None (no local copy)."""
        if self._smtp is None:
            self._smtp = self._connect()
        smtp = self._smtp
        sender = msg["From"].addresses[0].addr_spec
        recipient = msg["To"].addresses[0].addr_spec
        data = msg.as_bytes(policy=policy.SMTP)
        options: list[str] = []
        if not (sender + recipient).isascii():
            if not smtp.has_extn("smtputf8"):
                raise PermanentError(f"the server cannot deliver to non-ASCII {recipient}")
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        try:
            code, resp = smtp.mail(sender, options)
            if code != 250:
                self._reset()
                raise _refusal(code, resp, f"sender {sender} refused")
            code, resp = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise _refusal(code, resp, f"recipient {recipient} refused")
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.close()
            raise TransientError(f"connection lost before sending: {exc}") from None
        try:
            code, resp = smtp.data(data)
        except smtplib.SMTPDataError as exc:  # DATA command itself refused: nothing sent
            self._reset()
            raise _refusal(exc.smtp_code, exc.smtp_error, "DATA refused") from None
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.close()
            raise UnknownOutcome(f"connection lost while sending the message: {exc}") from None
        if code != 250:
            self._reset()
            raise _refusal(code, resp, "message refused")
        return None

    def _reset(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        """Say QUIT (best effort) and drop the connection."""
        if self._smtp is not None:
            _close(self._smtp)
            self._smtp = None


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _tls_error(where: str, exc: ssl.SSLError) -> DeliveryError:
    return DeliveryError(
        f"TLS with {where} failed ({exc.reason or exc}); nothing was sent",
        hint="the server's certificate must be valid for the host name in [email] host;"
        " install the issuing CA on this machine if it is an internal one",
    )
