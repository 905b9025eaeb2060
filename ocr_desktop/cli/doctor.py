"""``ocr-desktop doctor``: what is installed and usable, and for anything missing why and the
command that fixes it."""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ocr_desktop import paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.cli.terminal import EXIT_FAILED, EXIT_OK
from ocr_desktop.core.store import JobStore, StoreError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "doctor",
        help="check what is installed and usable",
        description="List each backend, poppler, the telemetry sources, the model files, the settings file "
        "and the data folder; for anything missing, say why and the command that fixes it. Exits 0 when the "
        "default backend can read pages.",
    )
    p.set_defaults(func=run_doctor)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False  # not OK is normal on some machines (jtop off a Jetson, NVML without NVIDIA)


def _settings_check() -> tuple[settings_mod.Settings, Check]:
    path = paths.settings_file()
    loaded = settings_mod.load_file(path)
    if loaded.problems:
        listed = "; ".join(str(p) for p in loaded.problems)
        return loaded.settings, Check(
            "settings file",
            not loaded.invalid,  # unknown keys alone are kept and harmless
            f"{path}: {len(loaded.problems)} problem(s): {listed}",
            f"fix the values named above, or delete {path} to use the defaults",
        )
    detail = str(path) if path.exists() else f"{path} does not exist yet: the defaults are used"
    return loaded.settings, Check("settings file", True, detail)


def _model_check(settings: settings_mod.Settings) -> Check:
    from ocr_desktop.models.hub import ModelError, resolve_llamacpp_files

    try:
        model, mmproj = resolve_llamacpp_files(settings)
    except (ModelError, KeyError) as exc:
        message = str(exc)
        return Check(
            "llama.cpp model files",
            False,
            message,
            f"ocr-desktop models pull {settings.llamacpp.catalog_model}",
        )
    missing = [p for p in (model, mmproj) if not p.is_file()]
    if missing:
        return Check(
            "llama.cpp model files",
            False,
            f"not found: {', '.join(map(str, missing))}",
            f"ocr-desktop models pull {settings.llamacpp.catalog_model}",
        )
    sizes = ", ".join(f"{p} ({p.stat().st_size / 2**20:.0f} MiB)" for p in (model, mmproj))
    return Check("llama.cpp model files", True, sizes)


def _poppler_checks() -> list[Check]:
    checks = []
    for tool in ("pdfinfo", "pdftoppm"):
        exe = shutil.which(tool)
        if exe is None:
            checks.append(
                Check(
                    f"poppler {tool}",
                    False,
                    f"{tool} is not on PATH: PDFs cannot be read",
                    "sudo apt install poppler-utils",
                )
            )
            continue
        try:
            proc = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=10, check=False)
            version = (proc.stderr or proc.stdout).splitlines()[0].strip()
        except (OSError, subprocess.TimeoutExpired, IndexError) as exc:
            version = f"version unknown ({exc})"
        checks.append(Check(f"poppler {tool}", True, f"{exe}: {version}"))
    return checks


def _telemetry_checks() -> list[Check]:
    def found(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            return False

    on_jetson = Path("/etc/nv_tegra_release").exists()
    not_needed = "" if on_jetson else "; this is not a Jetson, so it is not needed"
    return [
        Check(
            "telemetry jtop (Jetson)",
            found("jtop"),
            "jetson-stats is installed"
            if found("jtop")
            else f"jetson-stats (jtop) is not installed{not_needed}",
            "sudo pip3 install -U jetson-stats && sudo systemctl restart jtop.service",
            optional=not on_jetson,
        ),
        Check(
            "telemetry NVML (NVIDIA GPU)",
            found("pynvml"),
            "nvidia-ml-py is installed" if found("pynvml") else "nvidia-ml-py (pynvml) is not installed",
            "pip install nvidia-ml-py",
            optional=True,
        ),
        Check(
            "telemetry psutil",
            found("psutil"),
            "psutil is installed" if found("psutil") else "psutil is not installed: no RAM/CPU gauges",
            "pip install psutil",
        ),
    ]


def _layout_checks(settings: settings_mod.Settings) -> list[Check]:
    from ocr_desktop.layout import registry

    ok, detail = registry.runtime_summary()
    fix = "scripts/setup.sh app  (installs rapid-layout --no-deps with opencv-python-headless)"
    checks = [Check("layout runtime", ok, detail, fix)]
    try:
        chosen, skipped = registry.choose(settings.reading.layout_model)
    except registry.LayoutModelMissingError as exc:
        return [*checks, Check("layout model", False, exc.message, fix)]
    why_not = "".join(f"; {a.detector_id} not used: {a.reason} ({a.fix})" for a in skipped)
    if chosen == "cdla":
        # What the fallback costs (docs/layout.md, measured on the SDK's page.png).
        why_not += (
            "; CDLA's cost in quality: it matched 2 of the SDK's 28 regions on a two-page spread "
            "(missed lines are read as plain-text extra regions: no titles, tables or formulas "
            "for them)"
        )
    lines = _text_lines_check()
    checks.append(
        Check(
            "layout model",
            True,
            f"{registry.DETECTOR_LABELS[chosen]}: {registry.availability(chosen).reason}{why_not}",
        )
    )
    return [*checks, lines]


def _text_lines_check() -> Check:
    """The text-line detector layout's never-lose-text rule runs (rapidocr's PP-OCRv6)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return Check("text lines", True, f"PP-OCRv6 detection (rapidocr {version('rapidocr')}, ONNX Runtime)")
    except PackageNotFoundError:
        return Check("text lines", False, "rapidocr is not installed", "scripts/setup.sh app")


def _data_dir_check() -> Check:
    folder = paths.data_dir()
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
        store = JobStore()
    except OSError as exc:
        return Check(
            "data folder", False, f"{folder} is not writable ({exc.strerror or exc})", f"chmod u+w {folder}"
        )
    except StoreError as exc:
        return Check("data folder", False, str(exc), f"mv {paths.store_file()} {paths.store_file()}.bak")
    jobs = len(store.list_jobs())
    store.close()
    return Check("data folder", True, f"{folder} (job store with {jobs} job(s))")


def doctor_checks() -> tuple[list[Check], bool]:
    """Every check, and whether the default backend can read pages."""
    from ocr_desktop.backends.registry import BACKEND_IDS, BACKEND_LABELS, availability

    settings, settings_check = _settings_check()
    checks = [settings_check]
    usable: dict[str, bool] = {}
    for backend_id in BACKEND_IDS:
        found = availability(settings, backend_id)
        default = " (default)" if backend_id == settings.backend else ""
        checks.append(
            Check(
                f"backend {BACKEND_LABELS[backend_id]}{default}",
                found.available,
                found.reason,
                found.fix,
                optional=not default,
            )
        )
        usable[backend_id] = found.available
    model = _model_check(settings)
    checks.append(model)
    usable["llamacpp"] = usable["llamacpp"] and model.ok
    checks += _layout_checks(settings)
    checks += _poppler_checks()
    checks += _telemetry_checks()
    checks.append(_data_dir_check())
    return checks, usable.get(settings.backend, False)


def run_doctor(args: argparse.Namespace) -> int:
    from rich.console import Console

    out = Console(soft_wrap=True)
    checks, default_usable = doctor_checks()
    for check in checks:
        mark = (
            "[green]ok[/green]" if check.ok else "[yellow]--[/yellow]" if check.optional else "[red]NO[/red]"
        )
        out.print(f"{mark}  {check.name}: ", end="", highlight=False)
        out.print(check.detail, highlight=False, markup=False)
        if not check.ok and check.fix:
            out.print("      fix: ", end="", highlight=False)
            out.print(check.fix, highlight=False, markup=False)
    if default_usable:
        out.print("The default backend is ready to read pages.")
        return EXIT_OK
    out.print("[red]The default backend cannot read pages yet: see the fixes above.[/red]")
    from ocr_desktop.backends.first_run import lite_instead
    from ocr_desktop.backends.lite import MODEL_NAME

    if lite_instead(settings_mod.load_file().settings)[1] is not None:
        out.print(
            f"Until then, documents are read with {MODEL_NAME}, which ships with the app (docs/lite.md)."
        )
    return EXIT_FAILED
