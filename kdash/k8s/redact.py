"""Credentials that ride in URLs or messages, masked before anything is shown or logged.

A kubeconfig may carry a secret in the server address (`https://user:TOKEN@host`, `?token=…`), and
a server address ends up in error sentences, the header and the debug log. Everything kdash shows
or writes goes through `redact()`: the target's display address is redacted once when the
kubeconfig is loaded, the CLI's stderr and the `--log-file` formatter redact again, so a secret
that reaches a message by another road is masked too.
"""

from __future__ import annotations

import logging
import re

from kdash.model.logtext import clean

MASK = "***"

# scheme://userinfo@ -> scheme://***@ (userinfo may itself contain an unencoded @; stop at / ? #)
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#]*@")
# ?token=… &access_token=… ;password=… : values of parameters whose name says it is a secret
_SECRET_PARAM = re.compile(
    r"(?i)([?&;][^=&;\s#]*(?:token|passw|pwd|secret|key|sig|auth|credential)[^=&;\s#]*=)[^&;\s#]*?([:,.)]?(?=[&;\s#]|$))"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[a-z0-9._~+/=-]{8,}")
_AUTH_HEADER = re.compile(r"(?i)\b(authorization['\"]?\s*[:=]\s*['\"]?)[^'\",\s}]+(\s+[^'\",\s}]+)?")


def redact(text: str) -> str:
    """`text` with URL user-info, secret-looking query values, bearer tokens and Authorization
    header values replaced by ***."""
    if "@" in text:
        text = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    if "=" in text:
        text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{MASK}{m.group(2)}", text)
    lowered = text.lower()
    if "bearer" in lowered:
        text = _BEARER.sub(lambda m: f"{m.group(1)}{MASK}", text)
    if "authorization" in lowered:
        text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return text


class RedactingFormatter(logging.Formatter):
    """A log formatter whose whole output (message, arguments, traceback) is redacted, and cleaned
    of escape sequences and control characters: messages quote cluster strings, and the log is
    read in a terminal (`tail -f`). The message is kept on one line so it cannot forge a record."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = clean(record.message)  # format() sets it anew for every handler
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        return redact(clean(super().format(record), multiline=True))
