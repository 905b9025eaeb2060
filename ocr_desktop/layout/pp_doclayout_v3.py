"""PP-DocLayoutV3, the GLM-OCR SDK's layout model, on ONNX Runtime (CPU; CUDA when installed).

The app runs the transformers-architecture export (``PPDocLayoutV3ForObjectDetection`` traced to
ONNX; docs/adr/0005-layout-runtime.md): one input, ``pixel_values`` (batch, 3, 800, 800), the
page resized to 800×800 (bicubic, aspect ratio not kept), scaled to 0-1 with no mean/std; outputs
``logits`` (batch, 300 queries, 25 classes; sigmoid scores), ``pred_boxes`` (batch, 300, 4;
centre x, centre y, width, height as shares of the page) and ``order_logits`` (batch, 300, 300;
pairwise "query i comes before query j" logits). A mask head (``out_masks``) may be present and is
not used: the app crops rectangles.

Decoding follows the model's own post-processing (transformers' ``PPDocLayoutV3ImageProcessor``):
the 300 best (query, class) pairs by sigmoid score; a query's reading-order rank is the number of
queries voted to come before it. Then the SDK's clean-up: rapid-layout's PP-DocLayout NMS (same
class IoU 0.6, different classes 0.98) and dropping boxes contained in another box ("large" merge
mode, as the SDK configures it for every class).

PaddlePaddle's own ONNX export (paddle2onnx of the PaddleX inference model; rapid-layout ships
one) is read too: inputs ``im_shape`` (1, 2: the resized height, width), ``image`` (1, 3, 800,
800, the same pre-processing) and ``scale_factor`` (1, 2: resized / original height, width);
outputs the decoded boxes (N, 6 or 7: class, score, x1, y1, x2, y2 in the original page's
pixels, then the reading-order index) and their count. Its rows go through the same clean-up.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ocr_desktop.layout.base import LayoutError, Region, make_region
from ocr_desktop.layout.labels import PP_DOCLAYOUT_V3_LABELS
from ocr_desktop.layout.resolve import resolve_overlaps

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

log = logging.getLogger(__name__)

LABEL_SET = "pp-doclayout-v3"
INPUT_SIZE = 800
NUM_QUERIES = 300
#: The GLM-OCR SDK's layout threshold (glmocr/config.yaml ``layout.threshold``).
SCORE_THRESHOLD = 0.3


class PPDocLayoutV3Detector:
    id = "pp-doclayout-v3"

    def __init__(self, model_path: Path, threshold: float = SCORE_THRESHOLD, threads: int = 0) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise LayoutError(f"onnxruntime cannot be imported ({exc}) — run scripts/setup.sh app") from exc
        options = ort.SessionOptions()
        if threads > 0:
            options.intra_op_num_threads = threads
        # onnxruntime-gpu lists CUDA first where it can use it (a Jetson, a desktop GPU).
        providers = [
            p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in ort.get_available_providers()
        ]
        try:
            self._session = ort.InferenceSession(str(model_path), sess_options=options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
            raise LayoutError(f"cannot load the layout model {model_path}: {exc}") from exc
        inputs = [i.name for i in self._session.get_inputs()]
        outputs = [o.name for o in self._session.get_outputs()]
        missing = {"logits", "pred_boxes", "order_logits"} - set(outputs)
        self.paddle = set(inputs) == PADDLE_INPUTS and len(outputs) >= 2
        if not self.paddle and (inputs != ["pixel_values"] or missing):
            raise LayoutError(
                f"{model_path} is not a PP-DocLayoutV3 export the app reads (inputs {inputs}, outputs "
                f"{outputs}; expected pixel_values → logits, pred_boxes, order_logits, or PaddlePaddle's "
                "image, im_shape, scale_factor → boxes, count)"
            )
        self._outputs = outputs[:2] if self.paddle else ["logits", "pred_boxes", "order_logits"]
        self.threshold = threshold
        used = self._session.get_providers()[0]
        runtime = "CUDA" if used.startswith("CUDA") else "CPU"
        self.description = f"PP-DocLayoutV3 ({model_path.name}; ONNX Runtime, {runtime})"

    def detect(self, page: Image.Image) -> list[Region]:
        pixel_values = preprocess(page)
        if self.paddle:
            return self._detect_paddle(pixel_values, page.size)
        try:
            logits, boxes, order_logits = self._session.run(self._outputs, {"pixel_values": pixel_values})
        except Exception as exc:
            raise LayoutError(f"layout detection failed: {exc}") from exc
        return decode(logits[0], boxes[0], order_logits[0], page.size, self.threshold)

    def _detect_paddle(self, pixel_values: np.ndarray, size: tuple[int, int]) -> list[Region]:
        import numpy as np

        width, height = size
        feed = {
            "image": pixel_values,
            "im_shape": np.array([[INPUT_SIZE, INPUT_SIZE]], dtype=np.float32),
            "scale_factor": np.array([[INPUT_SIZE / height, INPUT_SIZE / width]], dtype=np.float32),
        }
        try:
            boxes, count = self._session.run(self._outputs, feed)
        except Exception as exc:
            raise LayoutError(f"layout detection failed: {exc}") from exc
        return decode_paddle(np.asarray(boxes)[: int(np.asarray(count).ravel()[0])], size, self.threshold)


#: The inputs of PaddlePaddle's ONNX export of PP-DocLayoutV3.
PADDLE_INPUTS = frozenset({"image", "im_shape", "scale_factor"})


def preprocess(page: Image.Image) -> np.ndarray:
    """(1, 3, 800, 800) float32: RGB resized to 800×800 (bicubic, aspect ratio not kept), scaled to
    0-1, no mean/std. rapid-layout's PP-DocLayout pre-processing does it with OpenCV's cubic
    resize, the filter the model was trained with (transformers resizes without antialiasing to
    approximate it)."""
    import numpy as np
    from rapid_layout.model_handler.pp_doc_layout.pre_process import PPDocLayoutPreProcess

    rgb = np.asarray(page.convert("RGB"))
    _data, (_im_shape, image, _scale_factor) = PPDocLayoutPreProcess(img_size=(INPUT_SIZE, INPUT_SIZE))(rgb)
    return np.ascontiguousarray(image, dtype=np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    import numpy as np

    # tanh form: no overflow for large negative logits.
    return 0.5 * (1.0 + np.tanh(0.5 * x.astype(np.float64)))


def order_ranks(order_logits: np.ndarray) -> np.ndarray:
    """Each query's reading-order rank (0 = first) from the pairwise order logits (queries × queries).

    Entry (i, j), i < j, is the logit that query i precedes query j; a query's vote is how many
    queries are judged to come before it, and queries are ranked by their votes.
    """
    import numpy as np

    scores = _sigmoid(order_logits)
    before_me = np.triu(scores, k=1).sum(axis=0) + np.tril(1.0 - scores.T, k=-1).sum(axis=0)
    pointers = np.argsort(before_me, kind="stable")
    ranks = np.empty_like(pointers)
    ranks[pointers] = np.arange(len(pointers))
    return ranks


def decode_raw(
    logits: np.ndarray,
    boxes: np.ndarray,
    order_logits: np.ndarray,
    size: tuple[int, int],
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The model's own decoding, before any clean-up: rows (class, score, x1, y1, x2, y2) in the
    pixels of a ``size`` page, sorted by reading order, and each row's reading-order rank."""
    import numpy as np

    num_queries, num_classes = logits.shape
    if num_classes != len(PP_DOCLAYOUT_V3_LABELS):
        raise LayoutError(
            f"the layout model has {num_classes} classes; PP-DocLayoutV3 has {len(PP_DOCLAYOUT_V3_LABELS)}"
        )
    width, height = size
    ranks = order_ranks(order_logits)
    scores = _sigmoid(logits.ravel())
    best = np.argsort(-scores, kind="stable")[:num_queries]
    best = best[scores[best] >= threshold]
    query, label = best // num_classes, best % num_classes
    cx, cy, w, h = (boxes[query].astype(np.float64) * [width, height, width, height]).T
    rows = np.stack([label, scores[best], cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    order = ranks[query]
    by_order = np.argsort(order, kind="stable")
    return rows.reshape(-1, 6)[by_order], order[by_order]


def decode(
    logits: np.ndarray,
    boxes: np.ndarray,
    order_logits: np.ndarray,
    size: tuple[int, int],
    threshold: float,
) -> list[Region]:
    """One page's regions in the model's reading order, boxes in the pixels of a ``size`` page,
    cleaned up as the SDK does: NMS (same class IoU 0.6, different classes 0.98), page-sized
    ``image`` boxes dropped, boxes 80 % inside another dropped except pictures, seals and charts
    (``resolve.py``)."""
    rows, _order = decode_raw(logits, boxes, order_logits, size, threshold)
    return _clean_up(rows, size)


def decode_paddle(boxes: np.ndarray, size: tuple[int, int], threshold: float) -> list[Region]:
    """PaddlePaddle's export's rows (class, score, x1, y1, x2, y2[, order]) in the pixels of a
    ``size`` page: those at the threshold, in reading order, through the same clean-up."""
    import numpy as np

    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] < 6:
        raise LayoutError(f"the layout model's boxes have shape {boxes.shape}; expected (N, 6 or 7)")
    keep = (boxes[:, 1] >= threshold) & (boxes[:, 0] > -1) & (boxes[:, 0] < len(PP_DOCLAYOUT_V3_LABELS))
    boxes = boxes[keep]
    if boxes.shape[1] >= 7:  # the reading-order column
        boxes = boxes[np.argsort(boxes[:, 6], kind="stable")]
    return _clean_up(boxes[:, :6], size)


def _clean_up(rows: np.ndarray, size: tuple[int, int]) -> list[Region]:
    from rapid_layout.model_handler.pp_doc_layout.post_process import nms

    # rapid-layout's PP-DocLayout NMS is the SDK's (same thresholds); it takes rows as (class,
    # score, x1, y1, x2, y2), and rows stay in reading order because only whole rows are dropped.
    if len(rows):
        keep = sorted(nms(rows.copy(), iou_same=0.6, iou_diff=0.98))
        rows = rows[keep]
    regions: list[Region] = []
    for cls, score, x1, y1, x2, y2 in rows:
        label = PP_DOCLAYOUT_V3_LABELS[int(cls)]
        region = make_region(
            LABEL_SET, label, box=(x1, y1, x2, y2), score=float(score), order=len(regions), size=size
        )
        if region.box[2] > region.box[0] and region.box[3] > region.box[1]:
            regions.append(region)
    kept, _dropped = resolve_overlaps(regions, size)
    return [replace(r, order=i) for i, r in enumerate(kept)]
