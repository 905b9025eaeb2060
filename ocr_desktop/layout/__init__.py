"""The layout stage: regions of a page, their kinds, reading order, and what is read (docs/layout.md).

Qt-free; the runtimes (onnxruntime, rapid_layout, cv2) are imported only by the detector that runs.
"""

from ocr_desktop.layout.base import LayoutDetector, LayoutError, LayoutModelMissingError, Region
from ocr_desktop.layout.labels import FURNITURE_KINDS, LABEL_TABLE, Action
from ocr_desktop.layout.plan import REGION_MAX_TOKENS, PagePlan, crop_region, plan_page

__all__ = [
    "FURNITURE_KINDS",
    "LABEL_TABLE",
    "REGION_MAX_TOKENS",
    "Action",
    "LayoutDetector",
    "LayoutError",
    "LayoutModelMissingError",
    "PagePlan",
    "Region",
    "crop_region",
    "plan_page",
]
