"""Charts drawn on the server as inline SVG: nothing to load, readable without scripts."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape

from . import i18n

ROW_HEIGHT = 26
BAR_HEIGHT = 16
LABEL_WIDTH = 250
BAR_WIDTH = 330
COUNT_WIDTH = 80
WIDTH = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH
COLOURS = {"reject": "#b3261e", "warning": "#a15c00"}


def bars_by_code(by_code: Mapping[str, int], lang: str) -> Markup:
    """Horizontal bars, one per code, longest first; rejections red, warnings amber."""
    items = sorted(
        ((c, int(n)) for c, n in by_code.items() if int(n) > 0), key=lambda kv: (-kv[1], kv[0])
    )
    if not items:
        return Markup("")
    peak = max(n for _, n in items)
    height = ROW_HEIGHT * len(items) + 8
    title = i18n.translate("chart.title", lang)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for row, (code, count) in enumerate(items):
        y = 4 + row * ROW_HEIGHT
        width = max(2, round(BAR_WIDTH * count / peak))
        kind = i18n.code_kind(code)
        colour = COLOURS.get(kind, COLOURS["reject"])
        label = f"{code}: {i18n.code_message(code, lang)}"
        parts.append(
            f'<g class="bar bar-{escape(kind)}"><title>{escape(label)}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 3}" text-anchor="end" '
            f'font-size="12" font-family="monospace" fill="#1d1d1f">{escape(code)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" rx="2" '
            f'fill="{colour}"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + BAR_HEIGHT - 3}" font-size="12" '
            f'fill="#1d1d1f">{escape(i18n.format_number(count, lang))}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
