"""The hyperparameter pane: every field drawn as text, and one editor on the field being edited.

Twelve fields as twelve label/input/error widget groups slowed the first screen; here the fields before
and after the one being edited are two text blocks (:class:`FieldRows`), and the edited one gets Textual's editor
for its kind: an :class:`~textual.widgets.Input` for text, a :class:`~textual.widgets.Checkbox` for on/off, a
:class:`~textual.widgets.Select` for a choice from a list (Optimizer, Loss, Mistake). Tab, shift+tab, ↑ and ↓ move
the editor from field to field and a click on a field moves it there. Typed text is checked on Enter or when the
editor leaves it; a switch or a choice is taken as it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.events import Click
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select

from linreg_core.config import LOSSES, OPTIMIZERS, TrainConfig, mistakes_for
from tui_app import palette
from tui_app.fields import FIELDS, field_text, placeholder
from tui_app.messages import FieldSubmitted

if TYPE_CHECKING:
    from tui_app.session import Session

KEYS = [key for key, _ in FIELDS]
LABEL_OF = dict(FIELDS)
TOGGLES = ("bias", "standardize")
MENUS = ("optimizer", "loss", "mistake")
LABEL_WIDTH = 14  # as `.field-label` in app.tcss
#: the data presets offered while typing into Data (which also takes a CSV path, so it stays a text field)
DATA_PRESETS = ("seed", "synthetic")
Editor = Input | Checkbox | Select[str]


def menu_values(key: str, case: int) -> tuple[str, ...]:
    """The choices of a menu field (Mistake's depend on the case)."""
    if key == "optimizer":
        return OPTIMIZERS
    if key == "loss":
        return LOSSES
    return ("none", *mistakes_for(case))


def toggle_text(value: bool) -> str:
    return "▐X▌ on" if value else "▐ ▌ off"  # as the Checkbox that edits it


@dataclass
class FieldState:
    text: str
    placeholder: str
    error: str | None = None


class _Rows:
    """The text of a run of fields at the width it is given (so that ``height: auto`` measures it right)."""

    def __init__(self, rows: FieldRows):
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines, keys = self.rows.lines(options.max_width, console)
        self.rows.line_keys = keys
        yield Text("\n").join(lines)


class FieldRows(Widget):
    """Fields drawn as text: for each, a row with label and value, then the hint under Learning rate and the
    field's error message, each followed by a blank line (the spacing the editor row has). ``lead`` names a field
    whose hint and error come first (the field being edited, whose row is the editor above this block)."""

    DEFAULT_CSS = """
    FieldRows {
        height: auto;
    }
    """

    def __init__(self, form: Hyperparams, id: str | None = None):  # noqa: A002
        super().__init__(id=id)
        self.form = form
        self.keys: list[str] = []
        self.lead: str | None = None
        self.line_keys: list[str | None] = []

    def show(self, keys: list[str], lead: str | None = None) -> None:
        self.keys, self.lead = keys, lead
        self.display = bool(keys) or (lead is not None and self.form.has_tail(lead))
        self.refresh(layout=True)

    def render(self) -> _Rows:
        return _Rows(self)

    def lines(self, width: int, console: Console) -> tuple[list[Text], list[str | None]]:
        width = max(width, LABEL_WIDTH + 3)
        form = self.form
        # the pane's component styles (one set for both blocks, which have no background of their own)
        value_style = form.get_component_rich_style("field-rows--value")
        invalid_style = form.get_component_rich_style("field-rows--invalid")
        # colours only (a partial style would leave a translucent colour unblended)
        faint_style = Style(color=form.get_component_rich_style("field-rows--placeholder").color)
        error_style = Style(color=form.get_component_rich_style("field-rows--error").color)
        out: list[Text] = []
        keys: list[str | None] = []

        def add(text: Text, key: str | None) -> None:
            out.append(text)
            keys.append(key)

        def tail(key: str) -> None:
            hint = form.hint if key == "lr" else None
            state = form.fields[key]
            for body in (hint, Text("✗ " + state.error, style=error_style) if state.error else None):
                if body is None or not body.plain:
                    continue
                for line in body.wrap(console, width - 1):
                    add(Text(" ") + line, key)
                add(Text(""), None)

        if self.lead is not None:
            tail(self.lead)
        for key in self.keys:
            state = form.fields[key]
            box = width - LABEL_WIDTH
            shown = toggle_text(state.text == "on") if key in TOGGLES else state.text or state.placeholder
            # a value longer than its box goes on in the blank row below the field (cut only past that)
            parts = [line.plain for line in Text(shown).wrap(console, max(1, box - 2))] or [""]
            if len(parts) > 2:
                parts = [parts[0], set_cell_size(parts[1], box - 3) + "…"]
            style = invalid_style if state.error and key not in TOGGLES else value_style
            label = LABEL_OF[key].ljust(LABEL_WIDTH)[:LABEL_WIDTH]
            for i, part in enumerate(parts):
                value = Text(set_cell_size(f" {part} ", box), style=style)
                if not state.text:
                    value.stylize(faint_style, 1, 1 + len(part))
                add(Text(label if i == 0 else " " * LABEL_WIDTH) + value, key)
            if len(parts) == 1:
                add(Text(""), key)
            tail(key)
        return out, keys

    def on_click(self, event: Click) -> None:
        row = event.y
        if 0 <= row < len(self.line_keys) and (key := self.line_keys[row]) is not None and self.form.editors_ready:
            event.stop()
            self.form.select(key, flip=key in TOGGLES)


class Hyperparams(VerticalScroll, can_focus=False):
    """Posts :class:`~tui_app.messages.FieldSubmitted` for a field whose text changed; the app answers with
    :meth:`show_error` or :meth:`load`."""

    COMPONENT_CLASSES = {"field-rows--value", "field-rows--invalid", "field-rows--placeholder", "field-rows--error"}
    BINDINGS = [
        # priority: the editor moves in the App's turn, so the keys typed right behind land in the new field
        Binding("tab", "move(1)", "Next field", show=False, priority=True),
        Binding("shift+tab", "move(-1)", "Previous field", show=False, priority=True),
        Binding("down", "move(1)", "Next field", show=False, priority=True),
        Binding("up", "move(-1)", "Previous field", show=False, priority=True),
    ]

    def __init__(self, config: TrainConfig, *, cursor_blink: bool = True, id: str | None = None,  # noqa: A002
                 data_choices: tuple[str, ...] = ()):
        super().__init__(id=id)
        self._config = config
        self.data_choices = data_choices or DATA_PRESETS
        self._blink = cursor_blink
        self.fields = {key: FieldState(field_text(config, key), placeholder(key, config)) for key in KEYS}
        self.hint = Text()
        self.current = KEYS[0]
        self._filling = False
        # the switch and the menu join the editor's row once the first screen is drawn (they would slow it)
        self.toggle = Checkbox("off", id="hp-toggle", classes="field-input")
        self.menu: Select[str] = Select.from_values(OPTIMIZERS, id="hp-menu", classes="field-input",
                                                    allow_blank=False, compact=True)
        self.toggle.display = self.menu.display = False
        self.editors_ready = False

    def compose(self) -> ComposeResult:
        # built in the state the first field needs, so that showing it changes no style (each change restyles)
        key, state = self.current, self.fields[self.current]
        above = FieldRows(self, id="hp-above")
        above.display = False
        yield above
        with Horizontal(classes="field-row", id="hp-row"):
            yield Label(LABEL_OF[key], id="hp-label", classes="field-label")
            editor = Input(value=state.text, placeholder=state.placeholder, id="hp-editor", classes="field-input")
            editor.cursor_blink = self._blink
            yield editor
        yield FieldRows(self, id="hp-below")

    def on_mount(self) -> None:
        self.border_title = "Hyperparameters"
        self._show_current()

    async def add_editors(self) -> None:
        """Mount the switch and the menu (the app calls this once its first screen is drawn)."""
        await self.query_one("#hp-row").mount(self.toggle, self.menu)
        # a flip or a choice is the user's (the pane sets them to the field's text, which changes nothing)
        self.watch(self.toggle, "value", self._flipped, init=False)
        self.watch(self.menu, "value", self._chosen, init=False)
        self.editors_ready = True

    # -- the app's side ---------------------------------------------------------------------------------
    def load(self, config: TrainConfig) -> None:
        """Show ``config`` in every field and clear the messages."""
        self._config = config
        key, editor = self.current, self.editor
        # text typed into the field being edited (a change of another field arrives while typing) stays
        typed = self.edited_by(key) is editor and editor.value != self.fields[key].text
        text, selection = editor.value, editor.selection
        for k in KEYS:
            self.fields[k] = FieldState(field_text(config, k), placeholder(k, config))
        self._show_current()
        if typed:
            editor.value, editor.selection = text, selection

    def show_taken(self, key: str) -> None:
        """Field ``key``'s text was taken: the editor, if still on it, shows it as the field writes it (a blank
        typed into Initial b reads ``default (0)`` again, 0.050 reads 0.05)."""
        if key == self.current and self.edited_by(key) is self.editor:
            self.editor.value = self.fields[key].text

    def show_error(self, key: str, message: str) -> None:
        self.fields[key].error = message
        self._mark()
        if key == self.current:  # the message is under the editor: scroll it into view (a short pane)
            self.call_after_refresh(self._reveal, 4)

    def clear_error(self, key: str) -> None:
        if self.fields[key].error is not None:
            self.fields[key].error = None
            self._mark()

    def show_bound(self, s: Session) -> None:
        """The learning-rate bound beside Learning rate (and the warning when lr ≥ η_max)."""
        b, text = s.bound, Text()
        if not s.config.plain_gd:
            text.append("bound n/a: only for full-batch MSE + plain SGD", style="dim")
        else:
            text.append(f"η_max {b.eta_max:.4g} (stable below)\nη_opt {b.eta_opt:.4g} (fastest; press o)\n"
                        f"κ(H) {b.condition:.4g} (condition number)", style="dim")
            if s.config.standardize:
                u = s.bound_unscaled
                text.append(f"\nunscaled: κ(H) {u.condition:.3g}\n          η_max {u.eta_max:.3g}", style="dim")
            if s.unstable():
                text.append("\n⚠ lr ≥ η_max: will diverge", style=palette.ALARM)
        self.set_bound(text)

    def set_bound(self, text: Text) -> None:
        self.hint = text
        self._refresh_rows()

    # -- reading the pane (tests and the app) ---------------------------------------------------------
    @property
    def editor(self) -> Input:
        return self.query_one("#hp-editor", Input)

    def edited_by(self, key: str) -> Editor:
        """The widget that edits field ``key``."""
        return self.toggle if key in TOGGLES else self.menu if key in MENUS else self.editor

    def error(self, key: str) -> str | None:
        return self.fields[key].error

    def text(self, key: str) -> str:
        """The text a field shows (for the field being edited, what the editor holds now)."""
        if key == self.current and self.edited_by(key) is self.editor:
            return self.editor.value
        return self.fields[key].text

    def has_tail(self, key: str) -> bool:
        return bool(self.fields[key].error) or (key == "lr" and bool(self.hint.plain))

    def edit(self, key: str) -> Editor:
        """Move the editor to ``key`` and focus it; returns the widget that edits it."""
        self.select(key)
        return self.edited_by(key)

    # -- moving the editor --------------------------------------------------------------------------------
    def select(self, key: str, *, flip: bool = False) -> None:
        if key != self.current:
            self._submit()
            self.current = key
            self._show_current()
            if self.edited_by(key) is self.editor:  # as an Input selects its text on focus: typing replaces it
                self.editor.select_all()
            # the editor's row moved within the pane: keep it in view once the new layout is done
            self.call_after_refresh(self._reveal)
        self.screen.set_focus(self.edited_by(key))  # now: the next key is already on its way
        if flip:
            self.toggle.toggle()

    def _reveal(self, below: int = 0) -> None:
        """Scroll the editor's row into view, and ``below`` rows under it (a field's message)."""
        row = self.query_one("#hp-row")
        self.scroll_to_region(row.virtual_region.grow((0, 0, below, 0)), animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # while a menu is open its list takes ↑ ↓ and tab closes it
        return not (action == "move" and self.menu.expanded) or None

    def action_move(self, step: int) -> None:
        i = KEYS.index(self.current) + step
        if 0 <= i < len(KEYS):
            self.select(KEYS[i])
        else:  # past the first or last field: on to the next pane
            self._submit()
            (self.screen.focus_next if step > 0 else self.screen.focus_previous)()

    def _show_current(self) -> None:
        key = self.current
        state = self.fields[key]
        self.query_one("#hp-label", Label).update(LABEL_OF[key])
        editors: tuple[Editor, ...] = (self.editor, self.toggle, self.menu)
        focused = self.screen.focused
        had_focus = focused is not None and (focused in editors or focused.parent is self.menu)
        widget = self.edited_by(key)
        # set to the field's text (the watchers see no change from it), then shown
        if widget is self.toggle:
            self.toggle.value = state.text == "on"
            self.toggle.label = state.text
        elif widget is self.menu:
            values = menu_values(key, self._config.case)
            value = state.text or "none"
            if value not in values:  # a value of another case (its error shows under the field)
                values = (*values, value)
            self._filling = True  # new options select their first: not the user's choice
            try:
                self.menu.set_options([(v, v) for v in values])
                self.menu.value = value
            finally:
                self._filling = False
        else:
            self.editor.value = state.text
            self.editor.placeholder = state.placeholder
            # Data's presets offered while typing (→ takes the suggestion); no keystroke is ever filtered
            self.editor.suggester = SuggestFromList(self.data_choices, case_sensitive=False) if key == "data" else None
        for w in editors:
            w.display = w is widget
        if had_focus:
            self.screen.set_focus(widget)
        self._mark()

    def _mark(self) -> None:
        """Show the fields' messages (the editor's text is the user's: left as it is)."""
        self.editor.set_class(self.fields[self.current].error is not None, "invalid")
        self._refresh_rows()

    def _refresh_rows(self) -> None:
        i = KEYS.index(self.current)
        self.query_one("#hp-above", FieldRows).show(KEYS[:i])
        self.query_one("#hp-below", FieldRows).show(KEYS[i + 1:], lead=self.current)

    # -- the editor's events ------------------------------------------------------------------------------
    def _submit(self) -> None:
        key = self.current
        if self.edited_by(key) is not self.editor:
            return  # a flip or a choice is submitted as it happens
        state = self.fields[key]
        text = self.editor.value
        state.text = text
        if text.strip() == field_text(self._config, key) and state.error is None:
            state.text = self.editor.value = text.strip()  # the field as it was (blank: its default shows)
            return
        self.post_message(FieldSubmitted(key, text))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "hp-editor":
            event.stop()
            self._submit()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if event.input.id == "hp-editor" and self.edited_by(self.current) is self.editor:
            event.stop()
            self._submit()

    def _flipped(self, value: bool) -> None:
        self._take(self.current, "on" if value else "off")
        self.toggle.label = self.fields[self.current].text

    def _chosen(self, value: object) -> None:
        if isinstance(value, str) and self.current in MENUS and not self._filling:
            self._take(self.current, "" if value == "none" else value)

    def _take(self, key: str, text: str) -> None:
        if text != self.fields[key].text:
            self.fields[key].text = text
            self.post_message(FieldSubmitted(key, text))
