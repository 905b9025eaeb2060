"""Messages for people, in English, that the window can still translate.

The Qt-free core says what went wrong in English (the CLI prints it as it is, the log keeps it),
but the window shows it in the user's language. A :class:`Message` is both: a ``str`` holding the
English text, so every place that takes a message (events, the store, the CLI) keeps working
unchanged, that also remembers its ``template`` and ``fields``; ``gui.errors.translated`` looks the
template up in the ``messages`` translation context and fills in the fields, translating fields
that are messages themselves (``"{name} could not be opened: {reason}"``).

``scripts/update_translations.py`` finds every ``Message("literal template", ...)`` in the source
and hands the templates to lupdate, so the template must be a string literal.

The job store keeps a failure's English text (what the CLI and exports show) and, beside it,
:func:`dumps` of the message, so a window restarted later still shows it translated
(:func:`loads` gives the message back).
"""

from __future__ import annotations

import json
from typing import Any


class Message(str):
    """English text made from ``template.format(**fields)``, remembering both for translation."""

    template: str
    fields: dict[str, Any]

    def __new__(cls, template: str, /, **fields: Any) -> Message:
        self = super().__new__(cls, template.format(**fields))
        self.template = template
        self.fields = fields
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # A str subclass would be pickled through __new__(cls, text), losing the fields.
        return (_rebuild, (self.template, self.fields))


def _rebuild(template: str, fields: dict[str, Any]) -> Message:
    return Message(template, **fields)


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return {"template": value.template, "fields": {k: _encode(v) for k, v in value.fields.items()}}
    return value if isinstance(value, int | float) else str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return Message(value["template"], **{k: _decode(v) for k, v in value["fields"].items()})
    return value


def dumps(text: str) -> str:
    """What the store keeps of ``text`` beside its English: the JSON of a message, "" otherwise."""
    return json.dumps(_encode(text), ensure_ascii=False) if isinstance(text, Message) else ""


def loads(text: str, stored: str) -> str:
    """The message :func:`dumps` wrote, or ``text`` itself when there is none (or it no longer
    fits its template: a message from an older version is shown as it was written)."""
    if not stored:
        return text
    try:
        return _decode(json.loads(stored))
    except (ValueError, KeyError, IndexError, TypeError):
        return text
