"""好差评 on portal pages: what the pages show, built from ratings.selectors and ratings.policy.

- `case_block`: the applicant's case page — the rating form, the applicant's ratings with the
  department's handling and answer, additions (追评) and the second rating of a rectification.
- `figures_view`: a `Figures` as rows for a template (counts per grade, the four rates).
- `item_box`: the guide item page's compact figures with a link to the public page.

Reads only; the views in portal/ratings.py do the writes through ratings.services.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.catalog.models import ImplementationVersion
from yiwang.core import clock
from yiwang.ratings import improvements, policy, rules, selectors
from yiwang.ratings.models import BAD_GRADES, Channel, Grade, Rating
from yiwang.ratings.workflow import Handling

GRADES = [(grade.value, grade.label) for grade in Grade]  # 非常满意 (5) first
TAGS = list(rules.TAGS.items())
TEXT_MAX = rules.TEXT_MAX

# The formulas as ratings/selectors.py states them (shown on the public page).
FORMULAS = {key: f"{name} = {formula}" for key, (name, formula) in selectors.RATE_FORMULAS.items()}


def read_form(post: QueryDict) -> dict[str, Any]:
    """What a rating form carried, as typed (for re-showing); the service checks it."""
    return {
        "grade": post.get("grade", "")[:5],
        "tags": [tag[:40] for tag in post.getlist("tags")[:20]],
        "text": post.get("text", ""),
    }


def grade_of(raw: str) -> int | str | None:
    """A grade radio's value as the service takes it (anything else is refused there, by field)."""
    return int(raw) if raw in {"1", "2", "3", "4", "5"} else (raw or None)


def _form(key: str, chosen: str, errors: Mapping[str, list[str]], values: Mapping[str, Any]) -> dict[str, Any]:
    """One form on the page: its id prefix, and what was typed and refused if it was the one posted."""
    posted = key == chosen
    return {
        "prefix": key,
        "errors": errors if posted else {},
        "values": values if posted else {"grade": "", "tags": [], "text": ""},
    }


def _handling(rating: Rating, answer: str) -> dict[str, Any]:
    """Where the department is with a bad review, in the applicant's words."""
    handling = rating.handling
    shown: dict[str, Any] = {"label": Handling(handling).label, "tone": "warning", "due": None, "answer": answer}
    if handling == Handling.PENDING:
        shown["due"] = rating.response_due
        shown["note"] = "办理部门正在核实，将立行立改、启动整改或作出解释说明"
    elif handling == Handling.RECTIFYING:
        rectification = getattr(rating, "rectification", None)
        shown["due"] = rectification.due_on if rectification else None
        shown["note"] = "整改措施"
    elif handling in (Handling.FIXED, Handling.RECTIFIED):
        shown["tone"] = "success"
        shown["note"] = "整改情况" if handling == Handling.FIXED else "整改结果"
    elif handling == Handling.EXPLAINED:
        shown["tone"] = "neutral"
        shown["note"] = "解释说明"
    return shown


def _row(
    rating: Rating, answer: str, chosen: str, errors: Mapping[str, list[str]], values: Mapping[str, Any]
) -> dict[str, Any]:
    now = clock.now()
    return {
        "rating": rating,
        "grade_label": Grade(rating.grade).label,
        "channel_label": Channel(rating.channel).label,
        "tag_labels": [rules.TAGS.get(tag, tag) for tag in rating.tags],
        "handling": _handling(rating, answer) if rating.is_bad else None,
        "additions": list(rating.additions.all()),
        "can_add": policy.addition_open(rating, now),
        "add_form": _form(f"add-{rating.pk}", chosen, errors, values),
        "second_label": Grade(rating.second_grade).label if rating.second_grade else "",
        "can_rate_second": policy.rectification_rateable(rating),
        "second_form": _form(f"second-{rating.pk}", chosen, errors, values),
    }


def case_block(
    user: User,
    case: Case,
    *,
    form: str = "",
    errors: Mapping[str, list[str]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The rating card of the case page. `form` names the form that was posted and refused
    (`rate`, `add-<id>`, `second-<id>`): only it shows `errors` and `values`."""
    errors, values = errors or {}, values or {}
    ratings = list(selectors.ratings_of_case(case))
    own = [rating for rating in ratings if rating.rater_id == user.pk]
    answers = selectors.department_answers([rating for rating in own if rating.is_bad])
    rated_online = any(rating.family == "online" for rating in ratings)
    offer = policy.may_rate(user, case) and not rated_online
    rows = [_row(rating, answers.get(rating.pk, ""), form, errors, values) for rating in own]
    anchors = {"grade": f"{form}-grade", "tags": f"{form}-tags", "text": f"{form}-text"} if form else {}
    return {
        "show": offer or bool(own) or (rated_online and policy.may_rate(user, case)),
        "offer": offer,
        "rated_by_other": rated_online and not any(rating.family == "online" for rating in own),
        "rate_form": _form("rate", form, errors, values),
        "rows": rows,
        "grades": GRADES,
        "tags": TAGS,
        "text_max": TEXT_MAX,
        "addition_days": settings.RATINGS_ADDITION_DAYS,
        "anchors": anchors,
    }


# --- figures -----------------------------------------------------------------------------


def _rate_text(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def figures_view(figures: selectors.Figures) -> dict[str, Any]:
    """Counts per grade (with their share) and the four rates with numerator, denominator and formula."""
    grades = [
        {
            "grade": grade,
            "label": label,
            "count": figures.by_grade.get(grade, 0),
            "share": round(100 * figures.by_grade.get(grade, 0) / figures.rated) if figures.rated else 0,
            "bad": grade in BAD_GRADES,
        }
        for grade, label in GRADES
    ]
    rates = [
        ("good_rate", "好评率", figures.good_rate, figures.good, figures.rated),
        ("rectification_rate", "差评整改率", figures.rectification_rate, figures.put_right, figures.bad),
        ("revisit_rate", "回访率", figures.revisit_rate, figures.revisited, figures.bad),
        ("active_rate", "主动评价率", figures.active_rate, figures.cases_self_rated, figures.cases_with_result),
    ]
    return {
        "figures": figures,
        "grades": grades,
        "good_rate": _rate_text(figures.good_rate),
        "rates": [
            {
                "key": key,
                "label": label,
                "value": _rate_text(value),
                "part": part,
                "whole": whole,
                "formula": FORMULAS[key],
            }
            for key, label, value, part, whole in rates
        ],
    }


def public_url(**filters: str) -> str:
    query = urlencode({key: value for key, value in filters.items() if value})
    return reverse("portal:ratings") + (f"?{query}" if query else "")


def item_box(basic_code: str) -> dict[str, Any]:
    """The guide item page's compact 好差评 box."""
    return {
        **figures_view(selectors.figures(selectors.Scope(item_code=basic_code))),
        "url": public_url(item=basic_code),
    }


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value}%"


def _number(value: float | None) -> str:
    return "—" if value is None else str(value)


def improvements_box(version: ImplementationVersion) -> list[dict[str, Any]]:
    """The guide item page's 服务改进: each answered improvement of the implementation shown,
    with the versions either side compared (ratings, supplement rate, working days)."""
    shown = []
    for improvement in improvements.answered_improvements_of(version.implementation_id):
        before, after = improvements.before_after(improvement)
        rows = []
        for label, pick in (
            ("评价数", lambda o: str(o.ratings.rated)),
            ("好评率", lambda o: _share(o.ratings.good_rate)),
            ("差评", lambda o: str(o.ratings.bad)),
            ("补正率", lambda o: _share(o.supplement_rate)),
            (
                "平均办理时间（工作日）",
                lambda o: "—" if o.average_working_days is None else str(o.average_working_days),
            ),
        ):
            rows.append({"label": label, "before": pick(before), "after": pick(after) if after else "—"})
        shown.append({"improvement": improvement, "before": before, "after": after, "rows": rows})
    return shown
