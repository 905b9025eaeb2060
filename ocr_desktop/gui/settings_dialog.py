"""The settings dialog, built from the one settings schema (``settings.iter_fields``).

Every leaf setting gets a generic editor chosen from its type, choices and limits — so fields
other parts of the app add show up here without touching this file — grouped in one tab per
section, with the help text as tooltip. A few keys get a better editor: model files get a file
chooser, the catalog model a list of the catalog's models with a Download button, folders a
folder chooser, the API key a password field.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Collection
from typing import Any

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.registry import BACKEND_LABELS, availability
from ocr_desktop.gui.api_switch import token_row
from ocr_desktop.gui.errors import error_text, translated
from ocr_desktop.gui.model_panel import first_run_models, pull_models
from ocr_desktop.gui.tasks import BackgroundTask, TaskRunner
from ocr_desktop.models import catalog, hub
from ocr_desktop.settings import FieldInfo, Settings

log = logging.getLogger(__name__)

INT_LIMIT = 2**31 - 1
#: Settings sections whose change means the backend must be loaded again.
BACKEND_SECTIONS = ("backend", "llamacpp.", "vllm.")


def backend_changed(old: Settings, new: Settings) -> bool:
    before = {info.key: value for info, value in settings_mod.iter_fields(old)}
    return any(
        info.key.startswith(BACKEND_SECTIONS) and before.get(info.key) != value
        for info, value in settings_mod.iter_fields(new)
    )


#: The translation context of the settings schema's labels, help texts and choices. They are not
#: in this package's source, so scripts/update_translations.py hands them to lupdate itself.
SCHEMA_CONTEXT = "Settings"
#: The same for the backends' names and the model catalog's descriptions.
BACKENDS_CONTEXT = "Backends"
CATALOG_CONTEXT = "Catalog"
#: Settings whose choices are words (the others are names: backends, formats, languages).
TRANSLATED_CHOICES = (
    "generation.task",
    "vllm.mode",
    "reading.mode",
    "reading.keep_furniture",
    "reading.layout_model",
)


def backend_label(backend_id: str) -> str:
    """A backend's name as the window shows it ("llama.cpp (in-process)"), translated."""
    return QCoreApplication.translate(BACKENDS_CONTEXT, BACKEND_LABELS.get(backend_id, backend_id))


def label_text(info: FieldInfo) -> str:
    return QCoreApplication.translate(SCHEMA_CONTEXT, info.label)


def help_text(info: FieldInfo) -> str:
    return QCoreApplication.translate(SCHEMA_CONTEXT, info.help)


class Editor:
    """One setting's widget, with the value in the settings' own type."""

    def __init__(
        self, info: FieldInfo, widget: QWidget, get: Callable[[], Any], put: Callable[[Any], None]
    ) -> None:
        self.info, self.widget, self.get, self.put = info, widget, get, put


class SettingsDialog(QDialog):
    settings_accepted = Signal(object)  # the new Settings (validated)
    _download_done = Signal(str)  # "" when the download worked, else the message

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.setObjectName("settingsDialog")
        self._original = settings
        self.editors: dict[str, Editor] = {}
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Settings sections"))
        self._tab_of: dict[str, int] = {}
        self._tasks = TaskRunner(self, name="download")
        self._download: BackgroundTask[object] | None = None
        self._unavailable_confirmed: str | None = None  # the availability warning already shown
        self._build(settings)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #a11d1d;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.setToolTip(self.tr("Put every setting back to its default (saved when you press OK)"))
        restore.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._download_done.connect(self._on_download_done)
        self._update_dependent()
        self.resize(720, 560)

    # -- building -------------------------------------------------------------------------------

    def _section_titles(self) -> dict[str, str]:
        return {
            "": self.tr("General"),
            "documents": self.tr("Documents"),
            "generation": self.tr("Generation"),
            "llamacpp": "llama.cpp",
            "vllm": "vLLM",
            "export": self.tr("Export"),
            "telemetry": self.tr("Gauges"),
            "reading": self.tr("Reading"),
            "server": self.tr("Server"),
        }

    def _build(self, settings: Settings) -> None:
        titles = self._section_titles()
        forms: dict[str, QFormLayout] = {}
        for info, value in settings_mod.iter_fields(settings):
            section = info.key.rpartition(".")[0]
            if section not in forms:
                page = QWidget()
                forms[section] = QFormLayout(page)
                forms[section].setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
                if section == "llamacpp":
                    forms[section].addRow(self._model_box())
                if section == "server":
                    forms[section].addRow(self.tr("Access token:"), token_row(page))
                scroll = QScrollArea(self.tabs)
                scroll.setWidgetResizable(True)
                scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
                scroll.setWidget(page)
                index = self.tabs.addTab(scroll, titles.get(section, section.replace("_", " ").capitalize()))
                self._tab_of[section] = index
            editor = self._editor(info)
            editor.put(value)
            editor.widget.setToolTip(help_text(info))
            editor.widget.setAccessibleName(label_text(info))
            editor.widget.setAccessibleDescription(help_text(info))
            self.editors[info.key] = editor
            if isinstance(editor.widget, QCheckBox):
                forms[section].addRow("", editor.widget)
            else:
                label = QLabel(label_text(info) + ":")
                label.setToolTip(help_text(info))
                label.setBuddy(editor.widget)
                forms[section].addRow(label, editor.widget)
        self.availability_label = QLabel(self)
        self.availability_label.setWordWrap(True)
        forms[""].addRow("", self.availability_label)
        self.editors["backend"].widget.currentIndexChanged.connect(self._update_dependent)  # type: ignore[attr-defined]
        self.editors["vllm.mode"].widget.currentIndexChanged.connect(self._update_dependent)  # type: ignore[attr-defined]

    def _editor(self, info: FieldInfo) -> Editor:
        if info.key == "llamacpp.catalog_model":
            combo = self.catalog_combo
            return Editor(
                info, combo, combo.currentData, lambda v: combo.setCurrentIndex(max(0, combo.findData(v)))
            )
        return make_editor(info, self)

    def _model_box(self) -> QWidget:
        """The catalog's llama.cpp models, whether each is downloaded, and a Download button."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 8)
        self.catalog_combo = QComboBox(box)
        # The descriptions are long; the combo must not widen the dialog past the screen.
        self.catalog_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.catalog_combo.setMinimumContentsLength(30)
        for entry in catalog.CATALOG:
            if entry.runtime == "llamacpp":
                self.catalog_combo.addItem(
                    QCoreApplication.translate(CATALOG_CONTEXT, entry.description), entry.name
                )
        # The combo itself may be narrower than a description: its list opens wide enough for
        # each whole, and each item has it as a tooltip (the combo's own is the setting's help).
        metrics = self.catalog_combo.fontMetrics()
        widest = 0
        for index in range(self.catalog_combo.count()):
            text = self.catalog_combo.itemText(index)
            self.catalog_combo.setItemData(index, text, Qt.ItemDataRole.ToolTipRole)
            widest = max(widest, metrics.horizontalAdvance(text))
        self.catalog_combo.view().setMinimumWidth(widest + 48)
        self.catalog_combo.currentIndexChanged.connect(self._update_model_status)
        self.model_status = QLabel(box)
        self.model_status.setWordWrap(True)
        self.download_button = QPushButton(self.tr("Download"), box)
        self.download_button.setToolTip(self.tr("Download the chosen catalog model from Hugging Face"))
        self.download_button.clicked.connect(self.download_model)
        self.download_bar = QProgressBar(box)
        self.download_bar.setAccessibleName(self.tr("Download progress"))
        self.download_bar.hide()
        row = QHBoxLayout()
        row.addWidget(self.model_status, 1)
        row.addWidget(self.download_button)
        layout.addWidget(QLabel(self.tr("Leave the model files empty to use a catalog model:"), box))
        layout.addWidget(self.catalog_combo)
        layout.addLayout(row)
        layout.addWidget(self.download_bar)
        return box

    # -- behaviour ------------------------------------------------------------------------------

    @Slot()
    def _update_dependent(self) -> None:
        backend = self.editors["backend"].get()
        found = availability(self._collect_quietly(), backend)
        # The details stay in the tooltip, or follow the verdict when something is missing.
        reason, fix = translated(found.reason), translated(found.fix)
        text = (
            self.tr("✓ Can run on this machine.")
            if found.available
            else self.tr("⚠ Cannot run on this machine: {reason} — {fix}").format(reason=reason, fix=fix)
        )
        self.availability_label.setToolTip(reason)
        self.availability_label.setText(text)
        remote = self.editors["vllm.mode"].get() == "remote"
        for key, enabled in (
            ("vllm.url", remote),
            ("vllm.api_key", remote),
            ("vllm.command", not remote),
            ("vllm.extra_args", not remote),
            ("vllm.gpu_memory_utilization", not remote),
            ("vllm.enforce_eager", not remote),
        ):
            if key in self.editors:
                self.editors[key].widget.setEnabled(enabled)
        self._update_model_status()

    def _missing_models(self) -> list[str]:
        """The chosen catalog model and, in layout mode, PP-DocLayoutV3: those not downloaded."""
        settings = self._collect_quietly().with_value(
            "llamacpp.catalog_model", self.catalog_combo.currentData()
        )
        missing = []
        for entry in first_run_models(settings):
            try:
                hub.model_paths(entry.name)
            except hub.ModelError:
                missing.append(entry.name)
        return missing

    @Slot()
    def _update_model_status(self) -> None:
        name = self.catalog_combo.currentData()
        missing = self._missing_models()
        try:
            found = hub.model_paths(name)
        except hub.ModelError as exc:
            self.model_status.setText(self.tr("Not downloaded."))
            self.model_status.setToolTip(translated(exc.message))
        else:
            text = self.tr("Downloaded: {path}").format(path=found["model"].parent)
            if missing:  # the layout model that comes with it
                text += " · " + self.tr("{names} not downloaded").format(names=", ".join(missing))
            self.model_status.setText(text)
            self.model_status.setToolTip("\n".join(str(p) for p in found.values()))
        self.download_button.setEnabled(bool(missing) and self._download is None)

    @Slot()
    def download_model(self) -> None:
        names = self._missing_models() or [self.catalog_combo.currentData()]
        self.download_button.setEnabled(False)
        self.download_bar.setRange(0, 0)
        self.download_bar.show()
        self.model_status.setText(self.tr("Downloading {name}…").format(name=", ".join(names)))
        self._download = self._tasks.run(
            lambda task: pull_models(names, task),
            on_result=lambda _paths: self._download_done.emit(""),
            on_error=self._on_download_failed,
            on_progress=self._on_download_progress,
        )

    def _on_download_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, hub.ModelError):
            sys.excepthook(type(exc), exc, exc.__traceback__)
            return
        self._download_done.emit(translated(exc.message))

    def _on_download_progress(self, p: hub.DownloadProgress) -> None:
        # The bar counts KiB: its range is a C int, and multi-GB files must fit.
        self.download_bar.setRange(0, (p.total_bytes or 0) // 1024)
        self.download_bar.setValue(p.done_bytes // 1024)
        self.download_bar.setFormat(f"{p.filename}: %p %")

    @Slot(str)
    def _on_download_done(self, message: str) -> None:
        self._download = None
        self.download_bar.hide()
        self._update_model_status()
        if message:
            self.model_status.setText(self.tr("Download failed: {message}").format(message=message))

    def _stop_download(self) -> None:
        """Closing the dialog cancels a download (what came is kept and resumed next time)."""
        self._tasks.shutdown()

    def show_section(self, section: str) -> None:
        """Open on a section's tab ("llamacpp"; "" for General)."""
        if section in self._tab_of:
            self.tabs.setCurrentIndex(self._tab_of[section])

    @Slot()
    def restore_defaults(self) -> None:
        for info, value in settings_mod.iter_fields(Settings()):
            if info.key in self.editors:
                with QSignalBlocker(self.editors[info.key].widget):
                    self.editors[info.key].put(value)
        self._update_dependent()

    def _collect_quietly(self) -> Settings:
        """The dialog's values as far as they are valid (for the availability hint)."""
        settings = self._original
        for key, editor in self.editors.items():
            try:
                settings = settings.with_value(key, editor.get())
            except settings_mod.SettingsError:
                continue
        return settings

    def collect(self) -> Settings:
        """The dialog's values as Settings; raises SettingsError naming the first bad one."""
        settings = self._original
        for key, editor in self.editors.items():
            try:
                settings = settings.with_value(key, editor.get())
            except settings_mod.SettingsError:
                self.tabs.setCurrentIndex(self._tab_of[key.rpartition(".")[0]])
                editor.widget.setFocus()
                raise
        return settings

    def accept(self) -> None:
        try:
            new = self.collect()
        except settings_mod.SettingsError as exc:
            self.error_label.setText(error_text(exc))
            self.error_label.show()
            return
        found = availability(new, new.backend)
        changed = backend_changed(self._original, new)
        if not found.available and changed and self._unavailable_confirmed != found.reason:
            # Say so once; a second OK ("Save Anyway") keeps the settings all the same.
            self._unavailable_confirmed = found.reason
            self.error_label.setText(
                self.tr("⚠ {reason} — {fix}. Press Save Anyway to keep these settings.").format(
                    reason=translated(found.reason), fix=translated(found.fix)
                )
            )
            self.error_label.show()
            ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
            ok.setText(self.tr("Save Anyway"))
            return
        self._stop_download()
        self.settings_accepted.emit(new)
        super().accept()

    def reject(self) -> None:
        self._stop_download()
        super().reject()


def _choice_text(info: FieldInfo, choice: Any) -> str:
    if info.key == "backend":
        return backend_label(str(choice))
    if info.key == "language":
        names = {"": QCoreApplication.translate("SettingsDialog", "System language"), "en": "English"}
        return names.get(choice, "简体中文" if choice == "zh_CN" else str(choice))
    if info.key in TRANSLATED_CHOICES:
        return QCoreApplication.translate(SCHEMA_CONTEXT, str(choice))
    return str(choice)


def make_editor(info: FieldInfo, owner: QWidget) -> Editor:
    """A generic editor for one setting, from its type, choices and limits."""
    if info.type is bool:
        box = QCheckBox(label_text(info))
        return Editor(info, box, box.isChecked, box.setChecked)
    if info.type is tuple and info.choices:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        boxes = {choice: QCheckBox(_choice_text(info, choice), holder) for choice in info.choices}
        for box in boxes.values():
            box.setToolTip(help_text(info))
            row.addWidget(box)
        row.addStretch(1)

        def put_list(values: Collection[str]) -> None:
            for choice, box in boxes.items():
                box.setChecked(choice in values)

        return Editor(info, holder, lambda: tuple(c for c, b in boxes.items() if b.isChecked()), put_list)
    if info.choices:
        combo = QComboBox()
        for choice in info.choices:
            combo.addItem(_choice_text(info, choice), choice)
        return Editor(
            info, combo, combo.currentData, lambda v: combo.setCurrentIndex(max(0, combo.findData(v)))
        )
    if info.type is int:
        spin = QSpinBox()
        spin.setRange(
            int(info.minimum) if info.minimum is not None else -INT_LIMIT,
            int(info.maximum) if info.maximum is not None else INT_LIMIT,
        )
        spin.setGroupSeparatorShown(spin.maximum() >= 100_000)
        return Editor(info, spin, spin.value, spin.setValue)
    if info.type is float:
        dspin = QDoubleSpinBox()
        dspin.setDecimals(2)
        dspin.setSingleStep(0.05 if (info.maximum or 10) <= 2 else 0.5)
        dspin.setRange(
            info.minimum if info.minimum is not None else -1e9,
            info.maximum if info.maximum is not None else 1e9,
        )
        return Editor(info, dspin, dspin.value, dspin.setValue)
    line = QLineEdit()
    if info.key.endswith("api_key"):
        line.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
    if info.key.endswith(("_path", "_dir")):
        return _path_editor(info, line, owner)
    return Editor(info, line, line.text, line.setText)


def _path_editor(info: FieldInfo, line: QLineEdit, owner: QWidget) -> Editor:
    """A line edit with a Browse button: a folder chooser for ``*_dir``, a file chooser else."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(line, 1)
    browse = QPushButton(QCoreApplication.translate("SettingsDialog", "Browse…"), holder)
    browse.setAccessibleName(
        QCoreApplication.translate("SettingsDialog", "Browse for {setting}").format(setting=label_text(info))
    )
    row.addWidget(browse)
    folder = info.key.endswith("_dir")

    def choose() -> None:
        if folder:
            chosen = QFileDialog.getExistingDirectory(owner, label_text(info), line.text())
        else:
            chosen, _ = QFileDialog.getOpenFileName(
                owner,
                label_text(info),
                line.text(),
                QCoreApplication.translate("SettingsDialog", "GGUF files (*.gguf);;All files (*)"),
            )
        if chosen:
            line.setText(chosen)

    browse.clicked.connect(choose)
    holder.setFocusProxy(line)
    return Editor(info, holder, line.text, line.setText)
