"""Life-event themes (主题服务) the guide groups items by; an item version lists theme slugs."""

from typing import TypedDict


class Theme(TypedDict):
    slug: str
    name: str
    icon_text: str


# As provincial portals group them, for people and enterprises.
THEMES: list[Theme] = [
    {"slug": "enterprise-start", "name": "企业开办", "icon_text": "开"},
    {"slug": "catering", "name": "餐饮经营", "icon_text": "餐"},
    {"slug": "construction", "name": "工程建设", "icon_text": "建"},
    {"slug": "health", "name": "医疗卫生", "icon_text": "医"},
    {"slug": "market", "name": "市场准营", "icon_text": "营"},
    {"slug": "social-security", "name": "社保医保", "icon_text": "保"},
    {"slug": "household", "name": "户籍办理", "icon_text": "户"},
    {"slug": "education", "name": "教育科研", "icon_text": "教"},
]

THEME_NAMES: dict[str, str] = {t["slug"]: t["name"] for t in THEMES}
