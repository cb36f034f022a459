"""Type-ahead: every key reaches the place the previous key sent the focus to, however fast keys come.

Textual hands a key to the widget that has the focus when the App reads it, and answers a binding of that widget
(an Input's backspace or ctrl+u, the main screen's keys) only when the key has bubbled back up to the App — behind
the keys read meanwhile. Keys sent back to back (a paste, tmux, a fast typist) were answered out of order or lost:
``p`` ``7`` Enter predicted nothing. So the App answers one key at a time:

* the App forwards a key, then waits until the widget and each of its ancestors have handled it
  (:func:`caught_up`); a key nobody stopped has its bindings answered right then, in its turn (and is ignored when
  the bubbled copy reaches the App later);
* a screen that is not ready for keys yet (a dialog whose input has not the focus) says so with its reactive
  ``ready_for_keys`` (a Textual ``var``): the App holds the keys that arrive and replays them, in order, when it turns
  True or another screen comes on top (:meth:`TypeAhead.follow`). Screens never call the type-ahead.

Textual answers a key's bindings only once it has bubbled back to the App, behind the keys read meanwhile; were it to
answer them in the key's turn, this module could go.
"""

from __future__ import annotations

import asyncio
from typing import Any
from weakref import WeakSet

from textual import events
from textual._dispatch_key import dispatch_key
from textual.reactive import Reactive

#: The longest the App waits for a widget to handle a key (a widget that waits for the App itself).
CATCH_UP_SECONDS = 0.5


def ready_for_keys(screen: Any) -> bool:
    """False for a screen whose input has not the focus yet (it sets ``ready_for_keys`` when it has)."""
    return bool(getattr(screen, "ready_for_keys", True))


async def caught_up(widget: Any) -> None:
    """Wait until ``widget`` has handled the messages already sent to it."""
    if widget is None or not widget.is_running:
        return
    done = asyncio.Event()
    widget.call_later(done.set)  # queued behind them
    try:
        await asyncio.wait_for(done.wait(), CATCH_UP_SECONDS)
    except TimeoutError:
        pass


class TypeAhead:
    def __init__(self, app: Any):
        self.app = app
        self.held: list[events.Key] = []
        self.replaying = 0
        self._replayed: set[int] = set()  # ids of the held keys handed back to the App (plain Keys: Textual
        self._answered: set[int] = set()  # finds a message's handler by its class name)
        self._followed: WeakSet[Any] = WeakSet()

    def follow(self, screen: Any) -> None:
        """A screen on top now: replay the held keys if it is ready, and whenever its ``ready_for_keys`` turns True."""
        if isinstance(getattr(type(screen), "ready_for_keys", None), Reactive) and screen not in self._followed:
            self._followed.add(screen)
            self.app.watch(screen, "ready_for_keys", lambda ready: self.release() if ready else None, init=False)
        self.release()

    # -- holding keys for a screen that is not ready ------------------------------------------------
    def hold(self, event: events.Key) -> bool:
        """True when ``event`` is held for later (the App drops it now); False to handle it now."""
        if id(event) in self._replayed:
            self._replayed.discard(id(event))
            self.replaying -= 1
            if self.replaying == 0 and self.held:
                self.release()
            return False
        if event.is_forwarded:
            return False  # a key coming back up: not a new one
        if self.held or self.replaying or not ready_for_keys(self.app.screen):
            self.held.append(event)
            return True
        return False

    def release(self) -> None:
        """The screen on top is ready: replay the held keys in the order they came."""
        if self.replaying or not ready_for_keys(self.app.screen):
            return
        held, self.held = self.held, []
        for event in held:
            again = events.Key(event.key, event.character)
            self._replayed.add(id(again))
            self.replaying += 1
            self.app.post_message(again)

    # -- one key at a time ------------------------------------------------------------------------------
    def answered(self, event: events.Key) -> bool:
        """True for the bubbled copy of a key whose bindings were answered in its turn."""
        if id(event) in self._answered and event.is_forwarded:
            self._answered.discard(id(event))
            return True
        return False

    @staticmethod
    def track(event: events.Key) -> None:
        """Before the App forwards ``event``: a key made by the App would be stopped by the screen as it bubbles
        back to its sender (Textual's rule), hiding whether anyone handled it. Without a sender, a key that comes
        out of the screen unstopped is one nobody handled."""
        event._sender = None

    async def settle(self, event: events.Key, target: Any) -> None:
        """After the App forwarded ``event`` to ``target``: wait until it is handled; if it bubbles up to the
        App, answer its bindings now, before the next key."""
        if not event.is_forwarded:
            return  # a priority binding answered it
        node = target
        while node is not None and node is not self.app:
            await caught_up(node)
            if event._stop_propagation:
                return
            node = node._parent
        self._answered.add(id(event))
        if not await self.app._check_bindings(event.key):
            await dispatch_key(self.app, event)
