#!/usr/bin/env python3
"""Generate a random-weight GLM-OCR test model: an HF checkpoint plus a llama.cpp GGUF + mmproj pair.

    TOOLS_PY scripts/make_test_model.py OUT_DIR [--size tiny|real] [--seed 0] [--outtype f16|q8_0|bf16|f32]

TOOLS_PY is the test-tools venv's python ($OCR_DESKTOP_BUILD_CACHE/tools-venv/bin/python, created by
``scripts/setup.sh test``): this needs torch, transformers >= 5 (GlmOcr*), tokenizers, safetensors and
the llama.cpp converter from the llama-cpp-python sdist, none of which the app depends on.

Writes:
    OUT_DIR/hf/                              what vLLM serves: config, generation_config, safetensors,
                                             tokenizer, preprocessor_config, chat_template
    OUT_DIR/glm-ocr-test-<outtype>.gguf      text model, converted by llama.cpp's convert_hf_to_gguf.py
    OUT_DIR/mmproj-glm-ocr-test-f16.gguf     vision projector, same converter with --mmproj

The checkpoint has the real GLM-OCR architecture (``GlmOcrForConditionalGeneration``), the real
vocabulary size, special-token ids, preprocessor config and prompt format; only the widths differ
with ``--size tiny`` (8 M params, ~5 s). ``--size real`` has GLM-OCR's real dimensions for benchmarks
(1.3 B params incl. the MTP head; ~30 s and ~4-7 GB RAM). Same seed, same bytes. The outputs of a
random model are readable filler words (`` w31757 w31757 …``) that say nothing about OCR quality.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

VOCAB_SIZE = 59392
EOS_IDS = [59246, 59253]  # <|endoftext|>, <|user|>

# GLM-4.x / GLM-OCR special tokens at their real ids: (text, id, special).
# 59246-59259 and 59280/59281 are confirmed by GLM-OCR's config; the others follow the GLM-4.1V layout.
SPECIAL_TOKENS = [
    ("<|endoftext|>", 59246, True),
    ("[MASK]", 59247, True),
    ("[gMASK]", 59248, True),
    ("[sMASK]", 59249, True),
    ("<sop>", 59250, True),
    ("<eop>", 59251, True),
    ("<|system|>", 59252, True),
    ("<|user|>", 59253, True),
    ("<|assistant|>", 59254, True),
    ("<|observation|>", 59255, True),
    ("<|begin_of_image|>", 59256, True),
    ("<|end_of_image|>", 59257, True),
    ("<|begin_of_video|>", 59258, True),
    ("<|end_of_video|>", 59259, True),
    ("<|begin_of_audio|>", 59260, True),
    ("<|end_of_audio|>", 59261, True),
    ("<|begin_of_transcription|>", 59262, True),
    ("<|end_of_transcription|>", 59263, True),
    ("<|code_prefix|>", 59264, True),
    ("<|code_middle|>", 59265, True),
    ("<|code_suffix|>", 59266, True),
    ("/nothink", 59267, False),
    ("<think>", 59268, False),
    ("</think>", 59269, False),
    ("<tool_call>", 59270, False),
    ("</tool_call>", 59271, False),
    ("<tool_response>", 59272, False),
    ("</tool_response>", 59273, False),
    ("<arg_key>", 59274, False),
    ("</arg_key>", 59275, False),
    ("<arg_value>", 59276, False),
    ("</arg_value>", 59277, False),
    ("<|begin_of_box|>", 59278, True),
    ("<|end_of_box|>", 59279, True),
    ("<|image|>", 59280, True),
    ("<|video|>", 59281, True),
]

# GLM-4's pre-tokenizer split, the same regex as llama.cpp's "glm4" pre-tokenizer type.
GLM4_SPLIT_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# One line on purpose: HF renders templates with trim_blocks/lstrip_blocks, llama-cpp-python and
# vLLM without, and a template without line breaks renders the same in all three. It produces
# '[gMASK]<sop><|user|>\n<|begin_of_image|><|image|><|end_of_image|>Text Recognition:<|assistant|>\n',
# GLM-OCR's prompt with the image before the task text. llama-cpp-python replaces an image part by
# libmtmd's media marker (a text part), and libmtmd adds <|begin_of_image|>/<|end_of_image|> itself.
CHAT_TEMPLATE = "".join(
    [
        "[gMASK]<sop>",
        "{%- for msg in messages -%}",
        "{%- if msg.role == 'system' -%}<|system|>",
        "{%- elif msg.role == 'user' -%}<|user|>",
        "{%- elif msg.role == 'assistant' -%}<|assistant|>",
        "{%- else -%}<|observation|>{%- endif -%}",
        "{{ '\\n' }}",
        "{%- if msg.content is string -%}{{ msg.content }}",
        "{%- elif msg.content is not none -%}{%- for item in msg.content -%}",
        "{%- if item.type == 'image' or item.type == 'image_url' or 'image' in item -%}",
        "<|begin_of_image|><|image|><|end_of_image|>",
        "{%- elif item.type == 'video' or item.type == 'video_url' or 'video' in item -%}",
        "<|begin_of_video|><|video|><|end_of_video|>",
        "{%- elif item.type == 'text' -%}{{ item.text }}",
        "{%- endif -%}{%- endfor -%}{%- endif -%}{%- endfor -%}",
        "{%- if add_generation_prompt -%}<|assistant|>{{ '\\n' }}{%- endif -%}",
    ]
)

# Text the small BPE is trained on: the task prompts and typical document text, so prompts
# tokenize into real merges rather than single bytes.
TRAINING_TEXT = """Text Recognition: Table Recognition: Formula Recognition:
The quick brown fox jumps over the lazy dog. Invoice number 12345, total 678.90 EUR, date 2024-05-17.
| Name | Quantity | Price | E = mc^2, a^2 + b^2 = c^2, \\frac{1}{2} \\sum_{i=0}^{n} x_i
Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.
Headings, lists, tables and formulas appear in documents; OCR output is plain text or Markdown.
0 1 2 3 4 5 6 7 8 9 10 100 1000 . , ; : ! ? ( ) [ ] { } < > / \\ - _ + = * & % $ # @ " '
Der schnelle braune Fuchs. Le renard brun rapide. El zorro marrón rápido.
文字识别 表格识别 公式识别
"""

PREPROCESSOR_CONFIG = {
    "size": {"shortest_edge": 12544, "longest_edge": 9633792},
    "do_rescale": True,
    "patch_size": 14,
    "temporal_patch_size": 2,
    "merge_size": 2,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "image_processor_type": "Glm46VImageProcessor",
    "processor_class": "Glm46VProcessor",
}

# Widths per size. The tiny model keeps every constraint some runtime checks:
# - text head_dim 32: vLLM's CPU attention kernel rejects 16 at the first request (not at start-up);
# - sum(mrope_section) == head_dim / 2 (partial_rotary_factor is 1.0 for GLM-OCR's text model);
# - heads : kv heads = 2 : 1 and heads * head_dim != hidden, like the real model;
# - vision out_hidden_size == text hidden, and text intermediate == 3 * out_hidden_size (HF sizes
#   the merger from out_hidden_size, vLLM from the text intermediate size);
# - patch 14 / merge 2 / temporal 2 unchanged, so image-token counts equal the real model's.
DIMENSIONS: dict[str, dict[str, dict[str, Any]]] = {
    "tiny": {
        "text": {"hidden_size": 64, "intermediate_size": 192, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
                 "mrope_section": [4, 6, 6]},
        "vision": {"hidden_size": 64, "depth": 2, "num_heads": 2, "intermediate_size": 128},
    },
    "real": {
        "text": {"hidden_size": 1536, "intermediate_size": 4608, "num_hidden_layers": 16,
                 "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
                 "mrope_section": [16, 24, 24]},
        "vision": {"hidden_size": 1024, "depth": 24, "num_heads": 16, "intermediate_size": 4096},
    },
}  # fmt: skip

INIT_STD = 0.02


def default_llama_cpp_dir() -> Path:
    cache = Path(os.environ.get("OCR_DESKTOP_BUILD_CACHE", Path.home() / ".cache" / "ocr-desktop"))
    return cache / "sdist" / "llama_cpp_python-0.3.36" / "vendor" / "llama.cpp"


def model_config(size: str) -> dict[str, Any]:
    text, vision = DIMENSIONS[size]["text"], DIMENSIONS[size]["vision"]
    return {
        "architectures": ["GlmOcrForConditionalGeneration"],
        "model_type": "glm_ocr",
        "text_config": {
            "model_type": "glm_ocr_text",
            "vocab_size": VOCAB_SIZE,
            "pad_token_id": EOS_IDS[0],
            "eos_token_id": EOS_IDS,
            "hidden_size": text["hidden_size"],
            "intermediate_size": text["intermediate_size"],
            "num_hidden_layers": text["num_hidden_layers"],
            "num_attention_heads": text["num_attention_heads"],
            "num_key_value_heads": text["num_key_value_heads"],
            "head_dim": text["head_dim"],
            "num_nextn_predict_layers": 1,
            "hidden_act": "silu",
            "attention_bias": False,
            "attention_dropout": 0.0,
            "initializer_range": INIT_STD,
            "max_position_embeddings": 131072,
            "rms_norm_eps": 1e-05,
            "rope_parameters": {
                "rope_type": "default",
                "mrope_section": text["mrope_section"],
                "partial_rotary_factor": 1.0,
                "rope_theta": 10000,
            },
            "tie_word_embeddings": False,
            "use_cache": True,
            "dtype": "bfloat16",
        },
        "vision_config": {
            "model_type": "glm_ocr_vision",
            "hidden_size": vision["hidden_size"],
            "depth": vision["depth"],
            "num_heads": vision["num_heads"],
            "intermediate_size": vision["intermediate_size"],
            "out_hidden_size": text["hidden_size"],
            "attention_bias": True,
            "hidden_act": "silu",
            "hidden_dropout_prob": 0.0,
            "initializer_range": INIT_STD,
            "image_size": 336,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "rms_norm_eps": 1e-05,
        },
        "image_start_token_id": 59256,
        "image_end_token_id": 59257,
        "video_start_token_id": 59258,
        "video_end_token_id": 59259,
        "image_token_id": 59280,
        "video_token_id": 59281,
        "tie_word_embeddings": False,
        "transformers_version": "5.0.1.dev0",
    }


def write_weights(hf_dir: Path, config: dict[str, Any], seed: int, size: str) -> int:
    """Randomly initialise the model (normal, std 0.02) and save it as bf16 safetensors; return #params."""
    import torch
    from safetensors.torch import save_file
    from transformers import GlmOcrConfig, GlmOcrForConditionalGeneration

    torch.manual_seed(seed)
    hf_config = GlmOcrConfig(**{k: v for k, v in config.items() if k not in ("architectures", "model_type")})
    # Built in bf16 directly: halves the peak memory of --size real (4.6 GB of fp32 weights otherwise).
    torch.set_default_dtype(torch.bfloat16)
    try:
        model = GlmOcrForConditionalGeneration(hf_config)
    finally:
        torch.set_default_dtype(torch.float32)
    state = {name: t.detach().contiguous() for name, t in model.state_dict().items()}
    del model

    # The NextN/MTP layer GLM-OCR ships as layer L: llama.cpp's GLM4 graph counts it in block_count
    # and needs its tensors; HF ignores it and vLLM uses it only for MTP speculative decoding.
    layers = config["text_config"]["num_hidden_layers"]
    hidden = config["text_config"]["hidden_size"]
    last, mtp = f"model.language_model.layers.{layers - 1}.", f"model.language_model.layers.{layers}."
    for name in [n for n in state if n.startswith(last)]:
        state[mtp + name[len(last) :]] = state[name].clone()
    gen = torch.Generator().manual_seed(seed + 1)
    state[mtp + "eh_proj.weight"] = (torch.randn(hidden, 2 * hidden, generator=gen) * INIT_STD).to(
        torch.bfloat16
    )
    for norm in ("enorm", "hnorm", "shared_head.norm"):
        state[f"{mtp}{norm}.weight"] = torch.ones(hidden, dtype=torch.bfloat16)
    if size == "real":
        # The real checkpoint's MTP layer also carries its own embedding and head, so file sizes and
        # memory match the released model (llama.cpp loads them as optional nextn tensors).
        state[mtp + "embed_tokens.weight"] = state["model.language_model.embed_tokens.weight"].clone()
        state[mtp + "shared_head.head.weight"] = state["lm_head.weight"].clone()
    # safetensors refuses tensors that share memory (lm_head may alias the embedding).
    state = {name: t.clone() for name, t in state.items()}
    save_file(state, str(hf_dir / "model.safetensors"), metadata={"format": "pt"})
    return sum(t.numel() for t in state.values())


def write_tokenizer(hf_dir: Path) -> None:
    """A byte-level BPE with GLM-4's pre-tokenizer, padded to the real vocab with the real special ids."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(GLM4_SPLIT_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    trainer = trainers.BpeTrainer(
        vocab_size=1000, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    bpe.train_from_iterator([TRAINING_TEXT] * 20, trainer=trainer)
    trained = json.loads(bpe.to_str())
    vocab: dict[str, int] = trained["model"]["vocab"]
    special_ids = {token_id for _, token_id, _ in SPECIAL_TOKENS}
    # Filler words ("Ġw<id>" decodes to " w<id>") that no text tokenizes into: a random model's
    # output stays readable ASCII and valid UTF-8 whatever ids it picks.
    for token_id in range(len(vocab), VOCAB_SIZE):
        if token_id not in special_ids:
            vocab[f"\u0120w{token_id}"] = token_id
    # Specials also live in the model vocab, so `tokenizers` keeps their ids when it reloads the file.
    for text, token_id, _ in SPECIAL_TOKENS:
        vocab[text] = token_id
    if sorted(vocab.values()) != list(range(VOCAB_SIZE)):
        raise RuntimeError("tokenizer ids are not contiguous 0..VOCAB_SIZE-1")

    added = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
         "special": special}
        for t, i, special in SPECIAL_TOKENS
    ]  # fmt: skip
    tokenizer_json = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": trained["pre_tokenizer"],
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        # ignore_merges like llama.cpp's glm4 pre-tokenizer: whole words in the vocab win.
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": True, "vocab": vocab, "merges": trained["model"]["merges"]},
    }  # fmt: skip
    write_json(hf_dir / "tokenizer.json", tokenizer_json, indent=None)
    reloaded = Tokenizer.from_file(str(hf_dir / "tokenizer.json"))
    for text, token_id, _ in SPECIAL_TOKENS:
        if reloaded.token_to_id(text) != token_id:
            raise RuntimeError(
                f"special token {text} reloads as id {reloaded.token_to_id(text)}, not {token_id}"
            )

    write_json(
        hf_dir / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": 128000,
            "padding_side": "left",
            "clean_up_tokenization_spaces": False,
            "do_lower_case": False,
            "remove_space": False,
            "eos_token": "<|endoftext|>",
            "pad_token": "<|endoftext|>",
            "added_tokens_decoder": {
                str(i): {
                    "content": t,
                    "lstrip": False,
                    "normalized": False,
                    "rstrip": False,
                    "single_word": False,
                    "special": special,
                }
                for t, i, special in SPECIAL_TOKENS
            },
            "extra_special_tokens": [t for t, _, special in SPECIAL_TOKENS if special],
            "chat_template": CHAT_TEMPLATE,
        },
    )
    (hf_dir / "chat_template.jinja").write_text(CHAT_TEMPLATE, encoding="utf-8")


def write_json(path: Path, data: Any, indent: int | None = 2) -> None:
    path.write_text(json.dumps(data, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")


def write_checkpoint(hf_dir: Path, size: str, seed: int) -> int:
    hf_dir.mkdir(parents=True, exist_ok=True)
    config = model_config(size)
    n_params = write_weights(hf_dir, config, seed, size)
    write_json(hf_dir / "config.json", config)
    write_json(
        hf_dir / "generation_config.json",
        {
            "do_sample": False,
            "eos_token_id": EOS_IDS,
            "pad_token_id": EOS_IDS[0],
            "transformers_version": "5.0.1.dev0",
        },
    )
    write_json(hf_dir / "preprocessor_config.json", PREPROCESSOR_CONFIG)
    write_tokenizer(hf_dir)
    return n_params


class GgufConverter:
    """llama.cpp's own convert_hf_to_gguf.py, run in this process with one narrow fallback.

    The converter identifies a BPE pre-tokenizer by hashing how it tokenizes a probe string, and
    refuses hashes it does not know ("BPE pre-tokenizer was not recognized"). The generated
    tokenizer has an unknown hash although its pre-tokenizer *is* GLM-4's (same split regex,
    ignore_merges), so only in that case we answer "glm4", the type GLM-OCR's real tokenizer maps
    to. The converter still logs its warning banner first. No llama.cpp file is modified.
    """

    def __init__(self, llama_cpp_dir: Path) -> None:
        script = llama_cpp_dir / "convert_hf_to_gguf.py"
        if not script.is_file():
            raise SystemExit(
                f"llama.cpp's converter not found at {script} — run `scripts/setup.sh test` (it "
                "unpacks the llama-cpp-python sdist into $OCR_DESKTOP_BUILD_CACHE/sdist) or pass "
                "--llama-cpp DIR"
            )
        sys.path[:0] = [str(llama_cpp_dir), str(llama_cpp_dir / "gguf-py")]
        from conversion.base import TextModel

        known_pre_tokenizer = TextModel.get_vocab_base_pre

        def pre_tokenizer_or_glm4(self: Any, tokenizer: Any) -> str:
            try:
                return str(known_pre_tokenizer(self, tokenizer))
            except NotImplementedError:
                return "glm4"

        TextModel.get_vocab_base_pre = pre_tokenizer_or_glm4  # type: ignore[method-assign]
        spec = importlib.util.spec_from_file_location("convert_hf_to_gguf", script)
        assert spec is not None and spec.loader is not None
        self._module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self._module)
        self._script = script

    def convert(self, hf_dir: Path, outfile: Path, outtype: str, *, mmproj: bool) -> None:
        argv = [str(self._script), str(hf_dir), "--outtype", outtype, "--outfile", str(outfile)]
        if mmproj:
            argv.append("--mmproj")
        saved, sys.argv = sys.argv, argv
        try:
            self._module.main()
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise SystemExit(
                    f"convert_hf_to_gguf.py {' '.join(argv[1:])} failed (exit {exc.code})"
                ) from None
        finally:
            sys.argv = saved
        if not outfile.is_file():
            raise SystemExit(f"convert_hf_to_gguf.py did not write {outfile}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--size", choices=sorted(DIMENSIONS), default="tiny")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--outtype",
        choices=["f16", "bf16", "f32", "q8_0"],
        default="f16",
        help="text GGUF type (mmproj is f16)",
    )
    parser.add_argument(
        "--llama-cpp", type=Path, default=default_llama_cpp_dir(), help="llama.cpp source dir"
    )
    args = parser.parse_args()

    start = time.perf_counter()
    converter = GgufConverter(args.llama_cpp)  # first: fail fast when the converter is missing
    hf_dir = args.out_dir / "hf"
    n_params = write_checkpoint(hf_dir, args.size, args.seed)
    text = args.out_dir / f"glm-ocr-test-{args.outtype}.gguf"
    mmproj = args.out_dir / "mmproj-glm-ocr-test-f16.gguf"
    converter.convert(hf_dir, text, args.outtype, mmproj=False)
    converter.convert(hf_dir, mmproj, "f16", mmproj=True)
    print(
        f"wrote {args.out_dir} ({args.size}, seed {args.seed}, {n_params / 1e6:.1f} M params) in "
        f"{time.perf_counter() - start:.1f} s: hf/, {text.name} ({text.stat().st_size / 1e6:.1f} MB), "
        f"{mmproj.name} ({mmproj.stat().st_size / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
