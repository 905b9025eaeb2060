"""What every subcommand prints with: exit statuses, and text made safe for one terminal line."""

from __future__ import annotations

import unicodedata

EXIT_OK = 0
EXIT_FAILED = 1  # a file or page could not be read, or an output could not be written
EXIT_USAGE = 2  # bad flags or settings (argparse uses 2 as well)
EXIT_INTERRUPTED = 130  # Ctrl-C: the pipeline was shut down, finished pages are kept


def shown(text: str) -> str:
    """``text`` safe to print on one line of a terminal: control and formatting characters
    (newlines, escape sequences, bidi overrides) are written as escapes, undecodable bytes of a
    file name as U+FFFD. Rich markup is not interpreted by the callers (Text, markup=False)."""
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":  # a surrogate escape: a byte of a name that is not UTF-8
            out.append("\ufffd")
        elif category in ("Cc", "Cf", "Zl", "Zp"):
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)
