"""Structural checks of a rendered workbench page, the ones axe and a keyboard user depend
on and that a test client can see: ids are unique, every label and `aria-describedby` points
at an element that exists, every visible form control has a label, every POST form carries
the CSRF token, and no link or button is empty."""

from html.parser import HTMLParser

from yiwang.workbench.tests.test_cases_pages import assert_every_post_form_has_csrf

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.described_by: list[str] = []
        self.controls: list[tuple[str, dict[str, str], bool]] = []  # (tag, attributes, inside a label)
        self.open_labels = 0
        self.open_named: list[list[str]] = []  # text of the <a>/<button> elements being read
        self.empty_named: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                self.label_targets.append(attributes["for"])
        self.described_by += attributes.get("aria-describedby", "").split()
        if tag in CONTROLS:
            self.controls.append((tag, attributes, self.open_labels > 0))
        if tag in ("a", "button"):
            self.open_named.append([attributes.get("aria-label", "")])

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels = max(0, self.open_labels - 1)
        if tag in ("a", "button") and self.open_named:
            text = "".join(self.open_named.pop()).strip()
            if not text:
                self.empty_named.append(tag)

    def handle_data(self, data: str) -> None:
        for parts in self.open_named:
            parts.append(data)


def assert_sound_html(html: str) -> None:
    page = _Page()
    page.feed(html)
    duplicates = sorted({i for i in page.ids if page.ids.count(i) > 1})
    assert not duplicates, f"duplicate ids: {duplicates}"
    ids = set(page.ids)
    assert not [t for t in page.label_targets if t not in ids], "a label points at no element"
    assert not [d for d in page.described_by if d not in ids], "aria-describedby names a missing element"
    for tag, attributes, inside_label in page.controls:
        if tag == "input" and attributes.get("type", "text") in UNLABELLED_INPUTS:
            continue
        labelled = inside_label or attributes.get("id", "") in page.label_targets or "aria-label" in attributes
        assert labelled, f"a {tag} without a label: {attributes}"
    assert not page.empty_named, f"links or buttons without text: {page.empty_named}"
    if 'method="post"' in html:
        assert_every_post_form_has_csrf(html)
