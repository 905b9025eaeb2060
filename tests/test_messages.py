"""The core's translatable messages: English as text, template and fields kept through pickling
and the job store, and every template in the source translated to zh_CN with the same fields."""

from __future__ import annotations

import importlib.util
import pickle
import string
import xml.etree.ElementTree as ET
from pathlib import Path

from ocr_desktop import messages
from ocr_desktop.documents.document import open_document
from ocr_desktop.documents.errors import DocumentError
from ocr_desktop.messages import Message

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "ocr_desktop" / "resources" / "translations" / "ocr_desktop_zh_CN.ts"


def fields_of(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None}


def test_a_message_is_its_english_text_and_keeps_template_and_fields() -> None:
    where = Message("page {page} of {name}", page=2, name="scan.pdf")
    message = Message("{where} is blank", where=where)
    assert message == "page 2 of scan.pdf is blank"
    assert f"error: {message}" == "error: page 2 of scan.pdf is blank"
    assert message.template == "{where} is blank" and message.fields["where"].fields["page"] == 2
    copy = pickle.loads(pickle.dumps(message))
    assert isinstance(copy, Message) and copy.fields["where"].template == "page {page} of {name}"


def test_the_store_form_gives_the_message_back() -> None:
    message = Message("{name} is {kind}", name="a.bin", kind=Message("a ZIP archive"))
    back = messages.loads(str(message), messages.dumps(message))
    assert isinstance(back, Message) and back == message
    assert back.fields["kind"].template == "a ZIP archive"
    assert messages.dumps("plain text") == ""
    assert messages.loads("plain text", "") == "plain text"
    # A stored message from another version that does not fit its template: the English stays.
    assert messages.loads("English", '{"template": "{gone}", "fields": {}}') == "English"


def test_a_document_error_carries_a_message(encrypted_pdf: Path) -> None:
    try:
        open_document(encrypted_pdf)
    except DocumentError as exc:
        assert isinstance(exc.message, Message)
        assert exc.message.fields == {"name": "locked.pdf"}
        assert str(exc) == exc.message  # the CLI prints the English text, as before
    else:
        raise AssertionError("a password-protected PDF opened")


def test_every_template_in_the_source_is_translated_with_the_same_fields() -> None:
    spec = importlib.util.spec_from_file_location(
        "update_translations", ROOT / "scripts" / "update_translations.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    templates = script.message_templates()
    assert "{name} is password-protected" in " ".join(templates)
    context = next(c for c in ET.parse(TS).iter("context") if c.findtext("name") == "messages")
    translations = {m.findtext("source"): m.findtext("translation") for m in context.iter("message")}
    missing = [t for t in templates if not translations.get(t)]
    assert missing == [], "run scripts/update_translations.py and translate these"
    mismatched = [t for t in templates if fields_of(t) != fields_of(translations[t] or "")]
    assert mismatched == []
