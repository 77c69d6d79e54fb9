"""A brand's colours as a small stylesheet served from our own origin (the CSP allows no
inline style): the header band and navigation in the primary colour (white text, checked
≥ 4.5:1), links, buttons and the focus ring in the accent colour (checked on the light
backgrounds). Only validated `#rrggbb` values reach it."""

import hashlib

from yiwang.brands.colours import darker


def brand_css(*, primary: str, accent: str) -> str:
    nav = darker(primary, 0.8)
    deep = darker(primary, 0.9)
    return (
        "/* yiwang city brand: generated from the published version's colours */\n"
        f":root {{ --blue-700: {accent}; --focus: {accent}; --brand-primary: {primary}; }}\n"
        f".site-header {{ background-color: {primary};"
        f" background-image: linear-gradient(180deg, {primary} 0%, {deep} 100%); }}\n"
        ".brand__tagline, .site-header__aside { color: #fff; }\n"
        f".site-nav {{ background: {nav}; }}\n"
        f".site-footer {{ border-top-color: {primary}; }}\n"
    )


def css_etag(css: str) -> str:
    return hashlib.sha256(css.encode()).hexdigest()[:32]
