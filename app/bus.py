"""Plain-Python notifications from services to whoever listens (the UI bridge).

Handlers are called on the thread that publishes; the Qt bridge in
`ui/bridge.py` re-emits them as signals so widgets only ever see the GUI
thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Handler = Callable[[str, dict[str, Any]], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._guard = threading.Lock()

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        with self._guard:
            self._handlers.append(handler)

        def unsubscribe() -> None:
            with self._guard:
                if handler in self._handlers:
                    self._handlers.remove(handler)

        return unsubscribe

    def publish(self, topic: str, **data: Any) -> None:
        with self._guard:
            handlers = list(self._handlers)
        for handler in handlers:
            handler(topic, data)
