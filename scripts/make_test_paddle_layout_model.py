"""Write an ONNX graph with the I/O of PaddlePaddle's own PP-DocLayoutV3 export, for the tests.

    make_test_paddle_layout_model.py OUT_DIR

The real export (paddle2onnx of the PaddleX inference model) takes ``im_shape`` (1, 2),
``image`` (1, 3, 800, 800) and ``scale_factor`` (1, 2: resized / original height, width) and
returns its decoded boxes (N, 7: class, score, x1, y1, x2, y2 in the original image's pixels,
reading-order index) and their count. Its weights cannot be downloaded here, so this graph has
no network: it holds fixed boxes on the 800 × 800 input and maps them back to the original page
with ``scale_factor`` as the real post-processing does, and adds ``0 × mean(image)`` to the
scores so the image input is part of the graph. The app's decoding of the rows (threshold,
reading order, NMS, the SDK's clean-up) and its feeding of the three inputs are what it tests.

Runs in the test-tools venv (it needs ``onnx``); tests/fixtures/layout.py caches the output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

#: (class id, score, x1, y1, x2, y2 on the 800 × 800 input, reading order), deliberately not in
#: reading order: header (12), paragraph_title (17), text (22), a text nested 90 % inside the
#: first text, a table (21), an image (14), and one row under the SDK's threshold 0.3.
ROWS = np.array(
    [
        [22, 0.90, 80, 200, 720, 400, 2],
        [12, 0.80, 80, 20, 400, 40, 0],
        [17, 0.85, 80, 100, 600, 140, 1],
        [21, 0.95, 80, 440, 720, 600, 3],
        [22, 0.50, 80, 210, 720, 390, 4],
        [14, 0.70, 200, 620, 600, 760, 5],
        [22, 0.10, 80, 770, 400, 790, 6],
    ],
    dtype=np.float32,
)


def build(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 800, 800])
    im_shape = helper.make_tensor_value_info("im_shape", TensorProto.FLOAT, [1, 2])
    scale = helper.make_tensor_value_info("scale_factor", TensorProto.FLOAT, [1, 2])
    boxes = helper.make_tensor_value_info("fetch_name_0", TensorProto.FLOAT, [len(ROWS), 7])
    count = helper.make_tensor_value_info("fetch_name_1", TensorProto.INT32, [1])
    n = len(ROWS)
    inits = [
        numpy_helper.from_array(ROWS[:, 0:1], "cls"),
        numpy_helper.from_array(ROWS[:, 1:2], "score"),
        numpy_helper.from_array(ROWS[:, 2:6], "coords"),
        numpy_helper.from_array(ROWS[:, 6:7], "order"),
        numpy_helper.from_array(np.array([n], dtype=np.int32), "count"),
        numpy_helper.from_array(np.array([1, 0, 1, 0], dtype=np.int64), "xy_index"),
        numpy_helper.from_array(np.array([0.0], dtype=np.float32), "zero"),
    ]
    nodes = [
        # scale_factor is (h, w); x columns divide by w, y columns by h: [w, h, w, h]
        helper.make_node("Gather", ["scale_factor", "xy_index"], ["divisor"], axis=1),
        helper.make_node("Div", ["coords", "divisor"], ["page_coords"]),
        helper.make_node("ReduceMean", ["image"], ["image_mean"], keepdims=0),
        helper.make_node("ReduceMean", ["im_shape"], ["shape_mean"], keepdims=0),
        helper.make_node("Add", ["image_mean", "shape_mean"], ["inputs_mean"]),
        helper.make_node("Mul", ["inputs_mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["score", "nothing"], ["scores"]),
        helper.make_node("Concat", ["cls", "scores", "page_coords", "order"], ["fetch_name_0"], axis=1),
        helper.make_node("Identity", ["count"], ["fetch_name_1"]),
    ]
    graph = helper.make_graph(
        nodes, "pp-doclayout-v3-paddle-io", [im_shape, image, scale], [boxes, count], inits
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = out / "pp-doclayout-v3-paddle-test.onnx"
    onnx.save(model, str(path))
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
