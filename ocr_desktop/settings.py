"""The one settings schema: defaults, types, help text and limits in one place.

The same dataclasses feed the TOML file in the user config dir, the CLI flags and the settings
dialog. Every field is declared with :func:`setting`, which records its help text and limits in
the field metadata; :func:`validate` checks a whole :class:`Settings` and names the bad key.

The dataclasses are frozen and their values immutable (lists are tuples), so a :class:`Settings`
can be passed down, shared between threads and kept as a snapshot without a copy: nothing can
change it in place. :meth:`Settings.with_value` derives a changed copy, checking the value as one
from the file; ``dataclasses.replace`` sets a typed value unchecked (docs/settings.md).
Window geometry and splitter sizes are GUI state and live in QSettings, never here.

The file is handled by :func:`load_file` (every valid key used, each bad one at its default with
a :class:`SettingsProblem`, all problems at once) and :func:`save` (only what the user set or
changed is written, the rest of the file kept as it was, a ``.bak`` of the previous file), with
a ``schema_version`` and :data:`MIGRATIONS`; see docs/settings.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, get_type_hints

import tomlkit
from tomlkit.exceptions import TOMLKitError

from ocr_desktop import paths
from ocr_desktop.files import write_atomic
from ocr_desktop.messages import Message

T = TypeVar("T")


class SettingsError(ValueError):
    """A settings value or file is invalid; the message names the key and what is allowed."""


def setting(
    default: T,
    help: str,
    *,
    choices: tuple[Any, ...] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    label: str | None = None,
) -> T:
    """Declare a settings field with its help text and limits (kept in the field metadata)."""
    meta = {"help": help, "choices": choices, "minimum": minimum, "maximum": maximum, "label": label}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class DocumentSettings:
    dpi: int = setting(
        150,
        "Resolution PDF pages are rendered at (images keep their own pixels). 150 DPI keeps body text "
        "legible for GLM-OCR while an A4 page (1240×1754 px, 2,774 image tokens) fits the default "
        "budget unshrunk; a higher DPI only helps with a higher budget (docs/documents.md).",
        minimum=50,
        maximum=600,
        label="PDF resolution (DPI)",
    )
    max_pixels: int = setting(
        2_408_448,
        "Pixel budget each page is fitted into before it goes to the model (GLM-OCR accepts 12,544 to "
        "9,633,792; one image token = 28×28 px, llama.cpp caps an image at 4096 tokens = 3,211,264 px). "
        "The vision encoder dominates the time per page, so a lower budget is faster.",
        minimum=12_544,
        maximum=9_633_792,
        label="Pixel budget per page",
    )
    pages: str = setting(
        "", "Page range such as '1-3,7,10-' (1-based); empty means every page.", label="Pages"
    )


@dataclass(frozen=True)
class ReadingSettings:
    # Choices mirror ocr_desktop/layout (labels.FURNITURE_KINDS, registry.DETECTOR_IDS); a test holds
    # them equal, so the schema needs no import of the layout stage.
    mode: str = setting(
        "layout",
        "How a page is read: 'layout' finds its regions (text, tables, formulas, figures) and reads each "
        "with its own prompt, as GLM-OCR's SDK does; 'page' sends the whole page as one image (faster on "
        "a small CPU, weaker on tables and complex pages). See docs/layout.md.",
        choices=("layout", "page"),
        label="Reading mode",
    )
    keep_furniture: tuple[str, ...] = setting(
        (),
        "Page furniture that is read instead of skipped in layout mode: any of header, footer, "
        "page_number, footnote, aside.",
        choices=("header", "footer", "page_number", "footnote", "aside"),
        label="Furniture to keep",
    )
    layout_model: str = setting(
        "auto",
        "Layout model: 'auto' uses PP-DocLayoutV3 once downloaded (ocr-desktop models pull "
        "pp-doclayout-v3), else CDLA, which ships with the app.",
        choices=("auto", "pp-doclayout-v3", "cdla"),
        label="Layout model",
    )


@dataclass(frozen=True)
class GenerationSettings:
    task: str = setting(
        "text",
        "What to ask GLM-OCR for: plain text/Markdown, tables (HTML) or formulas (LaTeX).",
        choices=("text", "table", "formula"),
        label="Task",
    )
    max_tokens: int = setting(
        8192,
        "Most tokens generated for one page, or for one layout region (the GLM-OCR SDK's 8192).",
        minimum=16,
        maximum=16384,
        label="Max tokens",
    )
    repetition_penalty: float = setting(
        1.0,
        "Penalty on repeated tokens. 1.0 (off) by default: GLM-OCR issue #240 reports 1.1 dropping "
        "table rows; the repetition guard catches loops instead.",
        minimum=1.0,
        maximum=2.0,
        label="Repetition penalty",
    )
    loop_retry: bool = setting(
        True,
        "When a page runs into a repetition loop, retry it once with a repetition penalty of 1.1.",
        label="Retry looping pages",
    )


@dataclass(frozen=True)
class LlamaCppSettings:
    model_path: str = setting("", "GLM-OCR text GGUF; empty = the catalog model.", label="Model GGUF")
    mmproj_path: str = setting("", "GLM-OCR vision projector GGUF (mmproj).", label="Projector GGUF")
    catalog_model: str = setting(
        "glm-ocr-q8_0", "Catalog entry used when no model path is given.", label="Catalog model"
    )
    n_gpu_layers: int = setting(
        -1,
        "Layers offloaded to the GPU: -1 = all when the build has a GPU backend, 0 = CPU only.",
        minimum=-1,
        maximum=1000,
        label="GPU layers",
    )
    n_ctx: int = setting(
        12288,
        "Context size in tokens: must hold the page's image tokens plus the output (a layout region's "
        "8192 tokens beside a full page's 3072 image tokens need 11283).",
        minimum=512,
        maximum=131072,
        label="Context size",
    )
    n_threads: int = setting(
        0,
        "CPU threads for decoding and image encoding; 0 = every core this process may use.",
        minimum=0,
        maximum=256,
        label="Threads",
    )
    flash_attn: bool = setting(
        True,
        "Use flash attention. Without it the vision encoder holds a patch×patch score matrix per head: "
        "~10 GB for a page of 3072 image tokens, which no 8 GB device has.",
        label="Flash attention",
    )
    mmproj_offload: bool = setting(
        True,
        "Run the vision projector on the GPU. Turn off on an 8 GB Orin Nano if loading runs out of memory.",
        label="Projector on GPU",
    )
    image_max_tokens: int = setting(
        6144,
        "Most image tokens per image (one token = 28×28 px); an image above it is refused, not silently "
        "shrunk. 6144 is GLM-OCR's own limit (the SDK's image_expect_length), which a page read whole "
        "in layout mode may reach; llama.cpp's default for GLM4V is 4096. Crops and whole-page mode "
        "stay within the pixel budget.",
        minimum=16,
        maximum=12288,
        label="Image token cap",
    )


@dataclass(frozen=True)
class VllmSettings:
    mode: str = setting(
        "managed",
        "'managed' starts and supervises a local vLLM server; 'remote' uses one already running at the URL.",
        choices=("managed", "remote"),
        label="Mode",
    )
    command: str = setting(
        "vllm serve",
        "Command that starts the server (a venv's vllm, a 'docker run …' of a Jetson image, …). The model "
        "and flags are appended.",
        label="Server command",
    )
    model: str = setting("zai-org/GLM-OCR", "Model directory or Hugging Face repo id served.", label="Model")
    url: str = setting("http://127.0.0.1:8000", "Base URL of a remote server.", label="Server URL")
    api_key: str = setting(
        "", "API key of a remote server (managed servers get a random one).", label="API key"
    )
    served_model_name: str = setting(
        "glm-ocr", "Name the server serves the model under.", label="Served name"
    )
    max_model_len: int = setting(
        8192,
        "Server context length (--max-model-len).",
        minimum=512,
        maximum=131072,
        label="Max model length",
    )
    gpu_memory_utilization: float = setting(
        0.0,
        "Share of GPU memory the server may take; 0 = automatic "
        "(0.4 on devices with 8 GB or less, else 0.8).",
        minimum=0.0,
        maximum=0.95,
        label="GPU memory share",
    )
    max_in_flight: int = setting(
        0,
        "Pages sent to the server at once; 0 = derived from free memory.",
        minimum=0,
        maximum=64,
        label="Pages in flight",
    )
    speculative_mtp: bool = setting(
        False, "Enable MTP speculative decoding.", label="MTP speculative decoding"
    )
    enforce_eager: bool = setting(
        False, "Skip CUDA graphs / torch.compile (faster start, slower decode).", label="Eager mode"
    )
    extra_args: str = setting("", "Extra arguments appended to the server command.", label="Extra arguments")
    startup_timeout_s: int = setting(
        600,
        "Seconds to wait for the server to become healthy.",
        minimum=10,
        maximum=3600,
        label="Start timeout",
    )
    request_timeout_s: int = setting(
        600, "Seconds one page may take on the server.", minimum=5, maximum=7200, label="Request timeout"
    )


@dataclass(frozen=True)
class ExportSettings:
    formats: tuple[str, ...] = setting(
        ("md",),
        "Formats written: any of txt, md, json, pdf (the original pages made searchable: the text laid "
        "invisibly over each line) and hocr (the text with its line and word boxes).",
        choices=("txt", "md", "json", "pdf", "hocr"),
        label="Formats",
    )
    out_dir: str = setting(
        "", "Folder results are exported to; empty = beside each document.", label="Folder"
    )
    combined: bool = setting(
        False, "Write all documents into one file per format.", label="One combined file"
    )
    page_separators: bool = setting(True, "Mark where each page starts.", label="Page separators")
    overwrite: bool = setting(
        False,
        "Replace a file of the same name even if OCR Desktop did not write it (or it was edited since). "
        "Without it, only the app's own unedited exports are replaced, and up-to-date ones are left alone.",
        label="Overwrite existing",
    )
    numbered: bool = setting(
        False,
        "Keep every existing file: write the export under a numbered name (report (2).md) when the name "
        "is taken by a file with other content.",
        label="Numbered copies",
    )


@dataclass(frozen=True)
class TelemetrySettings:
    interval_s: float = setting(
        1.0, "Seconds between gauge readings.", minimum=0.2, maximum=10.0, label="Gauge interval (s)"
    )
    history_s: int = setting(
        300, "Seconds of history kept for the sparklines.", minimum=10, maximum=3600, label="History (s)"
    )
    low_memory_mb: int = setting(
        700,
        "When free memory falls below this, no new pages are started until it recovers.",
        minimum=0,
        maximum=65536,
        label="Low-memory threshold (MB)",
    )


@dataclass(frozen=True)
class ServerSettings:
    """GLM-OCR's HTTP API served by the app (docs/server.md). The token is not a setting: it is a
    file of its own, mode 0600, beside the settings (``ocr_desktop.server.security``)."""

    enabled: bool = setting(
        False,
        "Serve GLM-OCR's API (/glmocr/parse, the cloud's /api/paas/v4/layout_parsing, jobs) while the "
        "window is open; documents sent to it appear in the queue and history.",
        label="Serve the API",
    )
    host: str = setting(
        "127.0.0.1",
        "Address to listen on. 127.0.0.1 serves this machine only; any other address (0.0.0.0: every "
        "network) requires the access token.",
        label="Address",
    )
    port: int = setting(
        5002,
        "Port to listen on (GLM-OCR's SDK server uses 5002); 0 picks a free one, shown once listening.",
        minimum=0,
        maximum=65535,
    )
    allow_urls: bool = setting(
        False,
        "Fetch http(s) URLs sent instead of documents. Off: a client can never make this machine "
        "open a URL on its network (server-side request forgery).",
        label="Fetch URLs",
    )
    cors_origins: str = setting(
        "",
        "Web origins allowed to call the API from a browser (CORS), comma-separated, such as "
        "https://intranet.example; empty: none.",
        label="CORS origins",
    )
    max_upload_mb: int = setting(
        200,
        "Largest request body accepted (MB); larger ones get 413.",
        minimum=1,
        maximum=4096,
        label="Largest request (MB)",
    )
    max_pages: int = setting(
        500,
        "Most pages one document sent to the API may have read; more get 413.",
        minimum=1,
        maximum=100_000,
        label="Most pages per document",
    )
    max_queued_jobs: int = setting(
        16,
        "Most API documents queued or reading at once; more get 429 with Retry-After.",
        minimum=1,
        maximum=1000,
        label="Most queued documents",
    )


@dataclass(frozen=True)
class Settings:
    backend: str = setting(
        "llamacpp",
        "Runtime that reads the pages: GLM-OCR through llama.cpp or vLLM, or the PP-OCRv6 lite engine "
        "that ships with the app (plain text lines, no tables or formulas; no download).",
        choices=("llamacpp", "vllm", "lite"),
        label="Backend",
    )
    language: str = setting("", "Interface language; empty = system language.", choices=("", "en", "zh_CN"))
    documents: DocumentSettings = field(default_factory=DocumentSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    llamacpp: LlamaCppSettings = field(default_factory=LlamaCppSettings)
    vllm: VllmSettings = field(default_factory=VllmSettings)
    export: ExportSettings = field(default_factory=ExportSettings)
    telemetry: TelemetrySettings = field(default_factory=TelemetrySettings)
    reading: ReadingSettings = field(default_factory=ReadingSettings)
    server: ServerSettings = field(default_factory=ServerSettings)

    def with_value(self, key: str, value: Any) -> Settings:
        """A copy with one dotted key set, the value converted and validated (raises
        SettingsError naming the key); this value is left as it is, and so are the sections the
        key is not in (they are shared with the copy, which is safe as nothing changes them)."""
        checked = _check(field_info(key), value)
        section, _, leaf = key.rpartition(".")
        if not section:
            return dataclasses.replace(self, **{leaf: checked})
        changed = dataclasses.replace(getattr(self, section), **{leaf: checked})
        return dataclasses.replace(self, **{section: changed})


@dataclass(frozen=True)
class FieldInfo:
    """One leaf setting: its dotted key, type and metadata, for the dialog and the CLI."""

    key: str
    type: type
    help: str
    choices: tuple[Any, ...] | None
    minimum: float | None
    maximum: float | None
    label: str


def iter_fields(obj: Any = None, prefix: str = "") -> Iterator[tuple[FieldInfo, Any]]:
    """Yield every leaf setting of ``obj`` (default: a fresh :class:`Settings`) with its value."""
    obj = Settings() if obj is None else obj
    hints = get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from iter_fields(value, key + ".")
            continue
        typ = hints[f.name]
        origin = getattr(typ, "__origin__", None)
        info = FieldInfo(
            key=key,
            type=origin or typ,
            help=f.metadata.get("help", ""),
            choices=f.metadata.get("choices"),
            minimum=f.metadata.get("minimum"),
            maximum=f.metadata.get("maximum"),
            label=f.metadata.get("label") or f.name.replace("_", " ").capitalize(),
        )
        yield info, value


def field_info(key: str) -> FieldInfo:
    try:
        return _field_infos()[key]
    except KeyError:
        raise SettingsError(Message("unknown setting '{key}'", key=key)) from None


@functools.cache
def _field_infos() -> Mapping[str, FieldInfo]:
    """Every leaf's FieldInfo by key, built once: the schema does not change while the app runs,
    and ``with_value`` looks a key up on every call (the dialog's OK makes ~45 of them)."""
    return MappingProxyType({info.key: info for info, _ in iter_fields()})


def get_value(settings: Settings, key: str) -> Any:
    obj: Any = settings
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def _check(info: FieldInfo, value: Any) -> Any:
    """Return ``value`` converted to the field's type, or raise SettingsError naming the key."""
    typ = info.type
    try:
        if typ is bool:
            if isinstance(value, str):
                low = value.strip().lower()
                if low not in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
                    raise ValueError(value)
                value = low in {"true", "1", "yes", "on"}
            elif not isinstance(value, bool):
                raise ValueError(value)
        elif typ is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            value = int(value)
        elif typ is float:
            if isinstance(value, bool):
                raise ValueError(value)
            value = float(value)
        elif typ is tuple:
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            # a TOML array, a list from the dialog or a tuple: stored as a tuple, which cannot change
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ValueError(value)
            value = tuple(value)
        elif typ is str and not isinstance(value, str):
            raise ValueError(value)
    except (TypeError, ValueError):
        kind = "list" if typ is tuple else typ.__name__
        raise SettingsError(
            Message(
                "setting '{key}': {value} is not a valid {kind} — {help}",
                key=info.key,
                value=repr(value),
                kind=kind,
                help=info.help,
            )
        ) from None
    if info.choices is not None:
        items = value if isinstance(value, tuple) else (value,)
        bad = [v for v in items if v not in info.choices]
        if bad:
            allowed = ", ".join(repr(c) for c in info.choices)
            raise SettingsError(
                Message(
                    "setting '{key}': {value} is not one of {allowed}",
                    key=info.key,
                    value=repr(bad[0]),
                    allowed=allowed,
                )
            )
    below = info.minimum is not None and value < info.minimum
    if below or (info.maximum is not None and value > info.maximum):
        limit = info.minimum if below else info.maximum
        raise SettingsError(
            Message(
                "setting '{key}': {value} is below the minimum {limit}"
                if below
                else "setting '{key}': {value} is above the maximum {limit}",
                key=info.key,
                value=str(value),
                limit=f"{limit:g}",
            )
        )
    return value


def validate(settings: Settings) -> None:
    for info, value in iter_fields(settings):
        _check(info, value)


def to_dict(settings: Settings) -> dict[str, Any]:
    return dataclasses.asdict(settings)


def from_dict(data: dict[str, Any]) -> Settings:
    """Settings from a nested dict; raises SettingsError naming every bad or unknown key at once."""
    settings, problems = _apply(data)
    if problems:
        raise SettingsError("\n".join(str(p) for p in problems))
    return settings


# -- the file ------------------------------------------------------------------------------------
#
# The file is the user's: it is read with a style-preserving TOML parser and written back with only
# the keys the user set or changed, so comments, order, unknown keys (a newer version's, a typo)
# and even a bad value the user has not touched survive a save byte for byte.

#: Version of the file's layout. Bump it with a migration when a key is renamed or moved.
SCHEMA_VERSION = 1
VERSION_KEY = "schema_version"


def _migrate_0_to_1(doc: MutableMapping[str, Any]) -> None:
    """Files written before versioning (no ``schema_version``) have the version-1 layout already."""


#: ``MIGRATIONS[n]`` turns a version-``n`` document into version ``n + 1``, in place.
MIGRATIONS: dict[int, Callable[[MutableMapping[str, Any]], None]] = {0: _migrate_0_to_1}


@dataclass(frozen=True)
class SettingsProblem:
    """One thing wrong with the settings file: the dotted key ('' for the whole file), what is wrong
    and what to do. ``unknown`` problems are keys the app does not use (they are kept in the file)."""

    key: str
    message: str
    fix: str
    unknown: bool = False

    def __str__(self) -> str:
        return str(self.describe())

    def describe(self) -> Message:
        """What is wrong and what to do, on one line (the window translates it)."""
        return Message("{message} — {fix}", message=self.message, fix=self.fix)


@dataclass
class LoadedSettings:
    """What :func:`load_file` found: the settings (every bad key at its default), the problems,
    and the file they came from."""

    settings: Settings
    problems: list[SettingsProblem]
    path: Path

    @property
    def invalid(self) -> list[SettingsProblem]:
        """Problems that changed a value (bad values, an unreadable file), not unknown keys."""
        return [p for p in self.problems if not p.unknown]

    def message(self) -> str:
        """Every problem on a line of its own, under the file's name."""
        return f"settings file {self.path}:\n" + "\n".join(f"  {p}" for p in self.problems)


def allowed_values(key: str) -> str:
    """What a valid value of ``key`` looks like, for messages that say how to fix one."""
    info = field_info(key)
    if info.choices is not None:
        choices = ", ".join(repr(c) for c in info.choices)
        if info.type is tuple:
            return Message("use one or more of {choices}", choices=choices)
        return Message("use one of {choices}", choices=choices)
    kind = _kind_words(info.type)
    if info.minimum is not None and info.maximum is not None:
        return Message(
            "use {kind} from {minimum} to {maximum}",
            kind=kind,
            minimum=f"{info.minimum:g}",
            maximum=f"{info.maximum:g}",
        )
    return Message("use {kind}", kind=kind)


def _kind_words(typ: type) -> str:
    if typ is int:
        return Message("a whole number")
    if typ is float:
        return Message("a number")
    if typ is bool:
        return Message("true or false")
    if typ is str:
        return Message("text in quotes")
    return typ.__name__


def _apply(data: Mapping[str, Any]) -> tuple[Settings, list[SettingsProblem]]:
    """Settings from a (migrated) nested mapping, each bad or unknown key reported and skipped."""
    settings = Settings()
    defaults = {info.key: (info, value) for info, value in iter_fields(settings)}
    sections = {key.split(".")[0] for key in defaults if "." in key}
    problems: list[SettingsProblem] = []

    def unknown(key: str) -> None:
        problems.append(
            SettingsProblem(
                key,
                Message("unknown setting '{key}'", key=key),
                Message("it is kept in the file but not used; check its spelling or remove it"),
                unknown=True,
            )
        )

    def walk(mapping: Mapping[str, Any], prefix: str) -> None:
        nonlocal settings
        for name, value in mapping.items():
            key = f"{prefix}{name}"
            if not prefix and name == VERSION_KEY:
                continue
            if key in defaults:
                try:
                    settings = settings.with_value(key, value)
                except SettingsError as exc:
                    fix = Message(
                        "{allowed}; until then the default {default} is used",
                        allowed=allowed_values(key),
                        default=repr(defaults[key][1]),
                    )
                    # args[0], not str(exc): str() would drop the Message the window translates
                    problems.append(SettingsProblem(key, exc.args[0], fix))
            elif not prefix and name in sections:
                if isinstance(value, Mapping):
                    walk(value, f"{name}.")
                else:
                    problems.append(
                        SettingsProblem(
                            key,
                            Message(
                                "setting '{key}' must be a section ([{key}]), not {value}",
                                key=key,
                                value=repr(value),
                            ),
                            Message(
                                "write its settings under a [{key}] line; until then its defaults are used",
                                key=key,
                            ),
                        )
                    )
            else:
                unknown(key)

    walk(data, "")
    return settings, problems


def _read_document(path: Path) -> tuple[tomlkit.TOMLDocument | None, list[SettingsProblem]]:
    """The file as an editable TOML document, migrated to SCHEMA_VERSION in memory; None (and the
    problem) when it cannot be read at all, and an empty document when it does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return tomlkit.document(), []
    except (OSError, UnicodeDecodeError) as exc:
        return None, [_unreadable(path, exc)]
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        return None, [_unreadable(path, exc)]
    version = doc.get(VERSION_KEY, 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        return doc, [
            SettingsProblem(
                VERSION_KEY,
                Message(
                    "setting '{key}': {value} is not a schema version", key=VERSION_KEY, value=repr(version)
                ),
                Message(
                    "write {key} = {version} (or remove the line); the keys are read as version {version}",
                    key=VERSION_KEY,
                    version=SCHEMA_VERSION,
                ),
            )
        ]
    if version > SCHEMA_VERSION:
        return doc, [
            SettingsProblem(
                VERSION_KEY,
                Message(
                    "the file is of schema version {version}, written by a newer OCR Desktop (this one knows "
                    "version {known})",
                    version=version,
                    known=SCHEMA_VERSION,
                ),
                Message("settings this version knows are used and the rest are kept; update OCR Desktop"),
                unknown=True,
            )
        ]
    for step in range(version, SCHEMA_VERSION):
        MIGRATIONS[step](doc)
    return doc, []


def _unreadable(path: Path, exc: BaseException) -> SettingsProblem:
    return SettingsProblem(
        "",
        Message("settings file {path} cannot be read: {reason}", path=str(path), reason=str(exc)),
        Message("fix or delete it; until then every setting is at its default"),
    )


def load_file(path: Path | None = None) -> LoadedSettings:
    """Read the settings file without ever giving up on it: every key that is valid is used, every
    bad value falls back to its default on its own, unknown keys are reported, and all of it is in
    ``problems`` (empty for a good or missing file)."""
    path = path or paths.settings_file()
    doc, problems = _read_document(path)
    if doc is None:
        return LoadedSettings(Settings(), problems, path)
    settings, more = _apply(doc.unwrap())
    return LoadedSettings(settings, problems + more, path)


def load(path: Path | None = None) -> Settings:
    """Read the settings file strictly: a missing file gives the defaults; any problem (bad value,
    unknown key, unreadable file) raises one SettingsError listing all of them."""
    loaded = load_file(path)
    if loaded.problems:
        raise SettingsError(loaded.message())
    return loaded.settings


def backup_file(path: Path) -> Path:
    """Where :func:`save` keeps the file as it was before the last write."""
    return path.with_name(path.name + ".bak")


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` into the file, changing only what differs from what the file gives.

    A key already in the file is rewritten only when its value changed (a bad value the user did
    not change stays as written); a key not in the file is added only when it differs from the
    default; unknown keys, comments and order are kept. The previous file is copied to
    ``settings.toml.bak`` first. Both are written atomically and readable only by the user (the
    file may hold an API key). Raises SettingsError for invalid ``settings``, OSError when the
    file cannot be written."""
    validate(settings)
    path = path or paths.settings_file()
    doc, problems = _read_document(path)
    if doc is None:  # unreadable: start afresh; the backup below keeps what was there
        doc = tomlkit.document()
    on_disk, _ = _apply(doc.unwrap())
    defaults = Settings()
    # a newer version's number (or one that is not a number) is the user's to fix: left alone
    if doc.get(VERSION_KEY) != SCHEMA_VERSION and not any(p.key == VERSION_KEY for p in problems):
        doc[VERSION_KEY] = SCHEMA_VERSION
    for info, value in iter_fields(settings):
        section, _, leaf = info.key.rpartition(".")
        holder: Any = doc.get(section) if section else doc
        if isinstance(holder, MutableMapping) and leaf in holder:
            if value != get_value(on_disk, info.key):
                holder[leaf] = value
        elif value != get_value(defaults, info.key):  # never write a default the user did not set
            if not isinstance(holder, MutableMapping):
                doc.pop(section, None)  # a section written as a plain value is replaced
                doc[section] = tomlkit.table()
                holder = doc[section]
            holder[leaf] = value
    with contextlib.suppress(FileNotFoundError):
        write_atomic(backup_file(path), path.read_bytes(), mode=0o600)
    return write_atomic(path, tomlkit.dumps(doc), mode=0o600)
