"""Reading uploaded CSV bytes as text: what cannot be text is reported with its line and column.

Shared by every upload (allocation lists, imports) so that a binary file, a Latin-1 file or a
stray NUL byte gets the same clear message wherever it is sent, and never a server error.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# C0 control characters other than tab, line feed and carriage return, and DEL: never in a CSV of ours.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class NotText(ValueError):
    """The bytes are not UTF-8 text: ``line`` and ``column`` (1-based) say where."""

    def __init__(self, line: int, column: int, message: str):
        super().__init__(message)
        self.line, self.column, self.message = line, column, message

    def __str__(self) -> str:
        return _("line %(line)d, column %(column)d: %(message)s") % {
            "line": self.line, "column": self.column, "message": self.message,
        }  # fmt: skip


def _where(data: bytes, index: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``index``."""
    line_start = data.rfind(b"\n", 0, index) + 1
    before = data[line_start:index].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, index) + 1, len(before.lstrip("\ufeff")) + 1


def decode_text(data: bytes) -> str:
    """``data`` as text (UTF-8, a leading BOM dropped); NotText at the first byte that is not text.

    Control characters are looked for in the bytes first (they are the same in every ASCII-based
    encoding), so a binary file is reported where it starts being binary.
    """
    control = _CONTROL_BYTES.search(data)
    end = control.start() if control else len(data)
    try:
        data[:end].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _where(data, exc.start)
        raise NotText(line, column, _("The file is not UTF-8 text (save it as CSV UTF-8).")) from None
    if control is not None:
        line, column = _where(data, control.start())
        if control.group() == b"\x00":
            message = _("The file contains a NUL byte: it is not a CSV text file.")
        else:
            message = _("The file contains the control character U+%(code)04X: it is not a CSV text file.") % {
                "code": control.group()[0]
            }
        raise NotText(line, column, message)
    return data.decode("utf-8-sig")
