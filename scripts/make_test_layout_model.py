#!/usr/bin/env python3
"""Generate a random-weight PP-DocLayoutV3 with the real architecture and export it to ONNX.

    TOOLS_PY scripts/make_test_layout_model.py OUT_DIR --image PAGE.png [--seed 0]

TOOLS_PY is the test-tools venv's python (``scripts/setup.sh test``): this needs torch, onnx and
transformers with ``PPDocLayoutV3ForObjectDetection`` (transformers >= 5.2) and torchvision (its image
processor), none of which the app depends on.

Writes:
    OUT_DIR/pp-doclayout-v3-test.onnx   pixel_values (1, 3, 800, 800) → logits (1, 300, 25),
                                        pred_boxes (1, 300, 4), order_logits (1, 300, 300): the I/O
                                        of the transformers-architecture export the app runs
    OUT_DIR/reference.npz               transformers' own reading of ``--image`` with these weights:
                                        ``pixel_values`` from its image processor, the PyTorch
                                        model's raw ``logits``/``pred_boxes``/``order_logits``, and
                                        what its post_process_object_detection makes of them
                                        (scores, labels, boxes in page pixels, order_seq) at a
                                        threshold that lets the best 40 (query, class) pairs through
                                        — the tests hold the app's pre-processing and decoding
                                        against it

The config is transformers' default PPDocLayoutV3Config (the released model's dimensions: HGNetV2-L
backbone, 300 queries, 6 decoder layers) with the 25 PP-DocLayoutV3 classes, so the ONNX graph has
the real model's operators and cost; only the weights are random (seeded: same seed, same bytes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REFERENCE_PAIRS = 40
LABELS = [
    "abstract", "algorithm", "aside_text", "chart", "content", "display_formula", "doc_title",
    "figure_title", "footer", "footer_image", "footnote", "formula_number", "header", "header_image",
    "image", "inline_formula", "number", "paragraph_title", "reference", "reference_content", "seal",
    "table", "text", "vertical_text", "vision_footnote",
]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--image", type=Path, required=True, help="the page the reference is made from")
    args = parser.parse_args()

    import numpy as np
    import torch
    from PIL import Image
    from transformers import PPDocLayoutV3Config, PPDocLayoutV3ForObjectDetection, PPDocLayoutV3ImageProcessor

    started = time.perf_counter()
    torch.manual_seed(args.seed)
    # mask_enhanced=False is the one change from the released configuration. With random weights the
    # mask head's masks are noise and the starting boxes derived from them collapse to one pixel in
    # the page's corner, so every region would be the same dot. Without it the queries start from the
    # encoder's anchors (spread over the page), as RT-DETR does; the graph keeps the backbone, the
    # hybrid encoder, the mask head, the decoder and the reading-order head.
    config = PPDocLayoutV3Config(
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
        mask_enhanced=False,
    )
    model = PPDocLayoutV3ForObjectDetection(config).eval()
    args.out_dir.mkdir(parents=True, exist_ok=True)

    class Heads(torch.nn.Module):
        """The three outputs the app reads; the mask head is left out of the graph (nomask export)."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, pixel_values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            out = self.inner(pixel_values=pixel_values)
            return out.logits, out.pred_boxes, out.order_logits

    heads = Heads(model).eval()
    onnx_path = args.out_dir / "pp-doclayout-v3-test.onnx"
    dummy = torch.rand(1, 3, 800, 800)
    with torch.no_grad():
        torch.onnx.export(
            heads,
            (dummy,),
            str(onnx_path),
            input_names=["pixel_values"],
            output_names=["logits", "pred_boxes", "order_logits"],
            opset_version=17,
            dynamo=False,
        )

    page = Image.open(args.image).convert("RGB")
    processor = PPDocLayoutV3ImageProcessor()
    inputs = processor(images=page, return_tensors="pt")
    with torch.no_grad():
        outputs = model(**inputs)
    threshold = float(
        torch.sigmoid(outputs.logits).flatten().sort(descending=True).values[REFERENCE_PAIRS - 1]
    )
    [result] = processor.post_process_object_detection(
        outputs, threshold=threshold, target_sizes=[(page.height, page.width)]
    )
    np.savez(
        args.out_dir / "reference.npz",
        pixel_values=inputs["pixel_values"].numpy(),
        logits=outputs.logits.numpy(),
        pred_boxes=outputs.pred_boxes.numpy(),
        order_logits=outputs.order_logits.numpy(),
        threshold=np.float64(threshold),
        scores=result["scores"].numpy(),
        labels=result["labels"].numpy(),
        boxes=result["boxes"].numpy(),
        order_seq=result["order_seq"].numpy(),
    )
    params = sum(p.numel() for p in model.parameters())
    print(
        f"PP-DocLayoutV3 random weights ({params / 1e6:.1f} M params) → {onnx_path} "
        f"({onnx_path.stat().st_size / 1e6:.0f} MB), {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
