"""A brand's colours as a small stylesheet served from our own origin (the CSP allows no
inline style): the header band and navigation in the primary colour (white text, checked
≥ 4.5:1), links, buttons and the focus ring in the accent colour (checked on the light
backgrounds); the current navigation tab and the home page's title in the primary colour
(white on it, and it as a large title on the light hero). Only validated `#rrggbb` values reach it."""

import hashlib

from yiwang.brands.colours import darker


def brand_css(*, primary: str, accent: str, scope: str = "") -> str:
    """The brand's rules for the whole page, or (`scope`, e.g. ".brand-preview") for one
    element: the workbench previews a draft inside its own page that way."""
    nav = darker(primary, 0.8)
    deep = darker(primary, 0.9)
    within = f"{scope} " if scope else ""
    return (
        "/* yiwang city brand: generated from the version's colours */\n"
        f"{scope or ':root'} {{ --blue-700: {accent}; --focus: {accent}; --brand-primary: {primary}; }}\n"
        f"{within}.site-header {{ background-color: {primary};"
        f" background-image: linear-gradient(180deg, {primary} 0%, {deep} 100%); }}\n"
        f"{within}.brand__tagline, {within}.site-header__aside {{ color: #fff; }}\n"
        f"{within}.site-nav {{ background: {nav}; }}\n"
        f'{within}.nav-list a[aria-current="page"] {{ background: {primary}; }}\n'
        f"{within}.nav-list a:hover {{ background: {deep}; }}\n"
        f"{within}.hero__title {{ color: {deep}; }}\n"
        f"{within}.site-footer {{ border-top-color: {primary}; }}\n"
    )


def css_etag(css: str) -> str:
    return hashlib.sha256(css.encode()).hexdigest()[:32]
