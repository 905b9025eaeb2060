"""OCR Desktop: GLM-OCR on llama.cpp or vLLM, for NVIDIA Jetson and any Linux machine."""

__version__ = "0.1.0"

#: One application id, used by ``setDesktopFileName``, the ``.desktop`` file, the icon name,
#: the platformdirs folders and the QSettings organisation.
APP_ID = "io.github.ocr_desktop.OcrDesktop"
APP_NAME = "ocr-desktop"
APP_DISPLAY_NAME = "OCR Desktop"


class Unreachable(AssertionError):
    """A value that the type system says cannot occur did occur (the ``case _`` of an exhaustive
    ``match`` over ids: backends, layout models)."""
