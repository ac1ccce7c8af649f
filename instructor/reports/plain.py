"""One safe line of plain text: the escaping every report applies to what a submission wrote.

Every text that came from a submission (student names, notebook names, reasons, sentences)
passes through :func:`plain` before it is written in any format, so no submission can add a
row to a table, break a line, colour a terminal or inject HTML.
"""

from __future__ import annotations

import html
import re

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# Control, line-separator, bidi and invisible format characters (zero-width, word joiner,
# invisible operators, soft hyphen, byte-order mark, Hangul fillers, the Arabic letter mark,
# tag characters): each becomes a space.
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\xad\u061c\u115f\u1160\u2028\u2029\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2069\u3164\ufeff\uffa0\U000e0000-\U000e007f]"
)

_LINK = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*://|www\.|@)")
"""What Markdown renderers turn into a link by themselves (GFM autolinks a scheme or ``www.``
after any non-letter, ``_`` included, and any ``name@host``)."""


def plain(value: object, fmt: str = "text", limit: int = 240) -> str:
    """Return ``value`` as one safe line of plain text for ``fmt``.

    ANSI sequences and control characters (line breaks included) are removed, white space is
    folded, the text is cut to ``limit`` characters; then for ``fmt="md"`` ``|``, ``\\``, ``<``,
    ``>``, ``&``, backticks and ``*_[]~$#`` are escaped for a Markdown table cell (and web and
    mail addresses are defanged, ``https[:]//``, ``www[.]``, ``a[@]b``, so that no renderer
    links them), and for ``fmt="html"`` the text is HTML-escaped. For ``fmt="csv"`` a text
    starting with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'``, so a spreadsheet shows it
    instead of running it as a formula (``=HYPERLINK(...)``); ``fmt="text"`` only cleans.
    """
    if fmt not in ("text", "csv", "md", "html"):
        raise ValueError(f"fmt={fmt!r}; use 'text', 'csv', 'md' or 'html'.")
    text = _CONTROL.sub(" ", _ANSI.sub("", str(value)))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    if fmt == "md":
        text = html.escape(text, quote=False)
        text = _LINK.sub(
            lambda m: m[0].replace("://", "[:]//").replace(".", "[.]", 1).replace("@", "[@]"), text
        )
        text = re.sub(r"([\\|`*_\[\]~$#])", r"\\\1", text)
    elif fmt == "html":
        text = html.escape(text, quote=True)
    elif fmt == "csv" and text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return text
