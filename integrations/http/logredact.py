"""Keep API keys out of urllib3's debug log.

urllib3 logs every request line, query string included, at DEBUG
(`urllib3.connectionpool`); Etherscan takes its key only as the `apikey`
query parameter (etherscan.md, "Base URL, versions, auth": "No header auth")
and hosted JSON-RPC nodes put it in the URL path (evm-json-rpc.md,
"Transport"). So a user who turns on debug logging would write keys to disk.

A filter on urllib3's loggers rewrites such records. Logging is process-wide,
so this is the one piece of shared state here: one filter, to which each
`HttpClient` adds its secrets while it lives.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter

from integrations.http.errors import REDACTED, redact

#: query parameters whose values are secrets wherever they appear
_SECRET_QUERY = re.compile(
    r"(?i)(?P<name>[?&](?:apikey|api_key|api-key|key|token|access_token)=)[^&\s\"']*"
)
_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry")


def redact_query(text: str) -> str:
    return _SECRET_QUERY.sub(lambda m: m.group("name") + REDACTED, text)


class _SecretFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: Counter[str] = Counter()
        self._installed = False

    def protect(self, secrets: tuple[str, ...]) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if s)
            if not self._installed:
                for name in _LOGGERS:
                    logging.getLogger(name).addFilter(self)
                self._installed = True

    def release(self, secrets: tuple[str, ...]) -> None:
        with self._lock:
            self._secrets.subtract(s for s in secrets if s)
            self._secrets += Counter()  # drop counts that reached zero

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            secrets = tuple(self._secrets)
        text = record.getMessage()
        clean = redact(redact_query(text), secrets)
        if clean != text:
            record.msg, record.args = clean, None
        return True


_FILTER = _SecretFilter()
protect = _FILTER.protect
release = _FILTER.release
