"""Does the loop retry change decoding? Measured on the real llama.cpp runtime, two ways.

1. The penalty window on real loops. For the loops quoted in public issues (tests/data/loops)
   and a real GLM-OCR table row (tests/data/glm-ocr-examples/table.json), the repeated unit is
   tokenised with GLM-OCR's own vocabulary (the test model's GGUF) and fed, copy after copy, to
   llama.cpp's own penalties sampler (``llama_sampler_init_penalties``, as llama-cpp-python
   builds it); before each token of the third copy is accepted, the sampler is applied to flat
   logits and we look whether that token — the one a looping model is about to repeat — is
   penalised. Printed: the unit in tokens, and the share of its tokens the penalty reaches with
   llama.cpp's default window (64) and with the retry's window (``loop_retry_options``).
2. End to end. The generated GLM-OCR test model (random weights, real architecture, tests/fixtures/model.py)
reads drawn pages greedily, as the app does, through ``LlamaCppBackend``; random weights loop
readily, on units of every length. For each page whose first read the ``RepetitionGuard`` stops,
the page is read again three ways:

- ``1.1 / 64``: repetition penalty 1.1 over llama.cpp's default window (64 tokens) — the retry
  before this change,
- ``1.1 / unit``: 1.1 over a window covering the repeated unit (``loop_retry_options``, kept),
- ``1.0 / 64``: no penalty (the control: greedy decoding repeats itself exactly).

Printed per page: the unit length (UTF-8 bytes) of the first loop, and for each retry whether it
looped again (``loop``, unit length) or ran to the token limit / stop (``ok``), and how many
characters it shared with the first read before diverging. The summary counts, per policy, how
many loops were broken, split by units up to and longer than 64 bytes.

Run from the repository root: ``.venv/bin/python scripts/bench_loop_retry.py`` (needs the test
model: ``scripts/setup.sh test`` builds it once).
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import json
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr_desktop.backends.llamacpp import LlamaCppBackend  # noqa: E402
from ocr_desktop.core.tasks import GenerationOptions, Task, loop_retry_options  # noqa: E402
from ocr_desktop.documents.pages import PageImage  # noqa: E402
from ocr_desktop.pipeline.repetition import RepetitionGuard  # noqa: E402
from tests.fixtures.files import draw_page  # noqa: E402
from tests.fixtures.model import build_test_model, llamacpp_settings_for  # noqa: E402


@dataclasses.dataclass
class Read:
    text: str
    looped: bool
    unit: int  # UTF-8 bytes of the repeated unit, 0 when no loop
    tokens: int


def read(backend: LlamaCppBackend, page: PageImage, options: GenerationOptions) -> Read:
    guard = RepetitionGuard()
    cancel = threading.Event()
    stream = backend.recognize(page, Task.TEXT, options, cancel)
    tokens = 0
    while True:
        try:
            delta = next(stream)
        except StopIteration:
            break
        tokens += 1
        if guard.feed(delta):
            cancel.set()
    return Read(guard.text, guard.detected, len(guard.unit.encode()), tokens)


def shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


DATA = ROOT / "tests" / "data"


def quoted_units() -> dict[str, str]:
    """One copy of each real loop's repeated unit."""
    units = {
        "GLM-OCR#220 (3 lines)": "YOU DIDN'T COME THIS\nFAR TO ONLY COME\nTHIS FAR\n",
        "ollama#16892 (1 line)": "Happy birthday to you!🎂\n",
        "vllm#42016 (5 lines)": "1 teaspoon garlic\n1 teaspoon onion\n1 teaspoon garlic powder\n"
        "1 teaspoon salt\n1 teaspoon pepper\n",
    }
    for name, text in list(units.items()):  # each quoted unit is really in the test data
        source = (DATA / "loops" / f"{name.split(' ')[0].lower().replace('#', '-')}.txt").read_text(
            encoding="utf-8"
        )
        assert text in source, name
    table = json.loads((DATA / "glm-ocr-examples" / "table.json").read_text(encoding="utf-8"))[0][0][
        "content"
    ]
    start = table.index("<tr><td>计入当期损益的政府补助")
    units["GLM-OCR table row (table.json)"] = table[start : table.index("</tr>", start) + 5]
    return units


def penalised_share(n_vocab: int, tokens: list[int], window: int) -> float:
    """Share of the unit's tokens that llama.cpp's penalties sampler (repeat 1.1 over ``window``
    tokens) lowers at the moment the third copy repeats them."""
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_penalties(n_vocab, window, 1.1, 0.0, 0.0)
    try:
        for token in tokens * 2:
            llama_cpp.llama_sampler_accept(sampler, token)
        data = (llama_cpp.llama_token_data * n_vocab)()
        reached = 0
        for token in tokens:
            for i in range(n_vocab):
                data[i].id = i  # type: ignore[assignment]  # ctypes converts the int
                data[i].logit, data[i].p = 1.0, 0.0
            array = llama_cpp.llama_token_data_array(data, n_vocab, -1, False)
            llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
            reached += data[token].logit < 1.0
            llama_cpp.llama_sampler_accept(sampler, token)
        return reached / len(tokens)
    finally:
        llama_cpp.llama_sampler_free(sampler)


def measure_windows(model_path: Path) -> None:
    from llama_cpp import Llama

    vocab = Llama(str(model_path), vocab_only=True, verbose=False)
    n_vocab = vocab.n_vocab()
    print("1. llama.cpp's penalties sampler on real loop units (repeat penalty 1.1)")
    print(f"   {'unit':<32} {'bytes':>5} {'tokens':>6} {'window 64':>10} {'retry window':>18}")
    for name, unit in quoted_units().items():
        tokens = vocab.tokenize(unit.encode(), add_bos=False, special=False)
        window = loop_retry_options(GenerationOptions(), len(unit.encode())).penalty_window
        default = penalised_share(n_vocab, tokens, 64)
        retry = penalised_share(n_vocab, tokens, window)
        size = len(unit.encode())
        print(f"   {name:<32} {size:>5} {len(tokens):>6} {default:>10.0%} {retry:>9.0%} (w={window})")
    vocab.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--max-tokens", type=int, default=700)
    args = parser.parse_args()

    model = build_test_model()
    measure_windows(model.gguf)
    print("\n2. end to end: the test model reading drawn pages")
    backend = LlamaCppBackend.from_settings(llamacpp_settings_for(model))
    backend.load(lambda _message, _fraction: None)
    first_options = GenerationOptions(max_tokens=args.max_tokens)
    policies = {
        "1.1 / 64": dataclasses.replace(first_options, repetition_penalty=1.1),
        "1.1 / unit": None,  # sized per page from the first loop
        "1.0 / 64": first_options,
    }
    broken: dict[str, list[int]] = {name: [0, 0, 0, 0] for name in policies}  # short ok/all, long ok/all
    try:
        print(f"{'page':>4} {'unit':>5}  " + "  ".join(f"{name:>24}" for name in policies))
        for index in range(args.pages):
            size = (224 + 56 * (index % 5), 280 + 28 * (index % 7))
            text = f"Invoice {1000 + 37 * index}\nTotal {index * 3.5:.2f} EUR\nPage {index + 1}"
            page = PageImage(draw_page(size, text), index, Path(f"page{index}.png"), size)
            first = read(backend, page, first_options)
            if not first.looped:
                print(f"{index:>4}   --   no loop in {first.tokens} tokens")
                continue
            # A token is at least one byte: a unit of more than 64 bytes may be longer than the
            # default window.
            long_unit = first.unit > 64
            cells = []
            for name, fixed in policies.items():
                again = read(backend, page, fixed or loop_retry_options(first_options, first.unit))
                state = f"loop {again.unit:>4}" if again.looped else "ok       "
                cells.append(f"{state} same {shared_prefix(first.text, again.text):>5}")
                slot = 2 if long_unit else 0
                broken[name][slot + 1] += 1
                broken[name][slot] += 0 if again.looped else 1
            print(f"{index:>4} {first.unit:>5}  " + "  ".join(f"{cell:>24}" for cell in cells))
    finally:
        backend.unload()
    print("\nloops broken by the retry (units <= 64 bytes | longer units):")
    for name, (short_ok, short_all, long_ok, long_all) in broken.items():
        print(f"  {name:<11} {short_ok}/{short_all} | {long_ok}/{long_all}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
