from django.urls import path, re_path

from yiwang.portal import (
    apply,
    brand,
    bundles,
    data,
    data_reads,
    disclosure,
    display,
    guide,
    license_share,
    licenses,
    messages,
    mycases,
    ratings,
    reviews,
    verify,
    views,
)
from yiwang.ratings.links import RATE_PATH

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_space, name="my_space"),
    # City brands (issue 16): a city's own portal name, chosen by host name or here
    path("city/", brand.choose_city, name="city_default"),
    re_path(r"^city/(?P<code>[0-9]{6})/$", brand.choose_city, name="city"),
    re_path(r"^brand/(?P<code>[0-9]{6})\.css$", brand.stylesheet, name="brand_css"),
    re_path(r"^brand/(?P<code>[0-9]{6})/logo\.png$", brand.logo, name="brand_logo"),
    # 长辈版 / 标准版 (ADR 0030): the header's switch, remembered in a cookie and the account
    path("display/", display.switch, name="display_mode"),
    path("guide/", guide.guide, name="guide"),
    path("guide/<str:basic_code>/", guide.item, name="item"),
    path("disclosure/", disclosure.disclosure, name="disclosure"),
    path("data/", data.public_data, name="public_data"),  # 政务服务数据公开 (issue 15)
    path("ledger/entries/<id:entry_id>/", disclosure.ledger_entry, name="ledger_entry"),
    # 一件事 (issue 16): the bundle's guide, one application, the applicant's bundle page
    path("bundles/<slug:code>/", bundles.guide, name="bundle"),
    path("bundles/<slug:code>/apply/", bundles.apply, name="bundle_apply"),
    path("me/bundles/<str:ref>/edit/", bundles.draft, name="bundle_draft"),
    path("me/bundles/<str:ref>/", bundles.detail, name="my_bundle"),
    # 证照核验 (issue 12): the address printed on every license PDF, hence no trailing slash
    path("licenses/verify", verify.license_verify, name="license_verify"),
    # 在线申请 and 我的办件 (issue 4)
    path("apply/<id:version_id>/", apply.start, name="apply"),
    path("apply/drafts/<str:ref>/", apply.draft, name="apply_draft"),
    path("apply/drafts/<str:ref>/discard/", apply.discard, name="apply_draft_discard"),
    path("me/drafts/", apply.drafts, name="drafts"),
    path("me/cases/", mycases.case_list, name="my_cases"),
    path("me/cases/<str:number>/", mycases.case_detail, name="my_case"),
    path("me/cases/<str:number>/receipt/", mycases.receipt, name="case_receipt"),
    path("me/cases/<str:number>/supplement/", mycases.supplement_answer, name="case_supplement"),
    path("me/cases/<str:number>/withdraw/", mycases.withdraw, name="case_withdraw"),
    path("me/materials/<id:material_id>/", mycases.material, name="material"),
    # 好差评 (issue 14): rate from the case page, the notice / hall tablet link, the public figures
    path("me/cases/<str:number>/rating/", ratings.rate, name="case_rate"),
    path("me/cases/<str:number>/ratings/<id:rating_id>/add/", ratings.add, name="case_rating_add"),
    path("me/cases/<str:number>/ratings/<id:rating_id>/second/", ratings.rate_rectification, name="case_rating_second"),
    path(f"{RATE_PATH.strip('/')}/<str:token>", ratings.rate_by_link, name="rate_link"),
    path("ratings/", ratings.public, name="ratings"),
    # 专家评审公开 (issue 17): the draw records anyone re-runs offline
    path("reviews/draws/", reviews.draws, name="review_draws"),
    path("reviews/draws/log.vkey", reviews.log_key, name="review_log_key"),
    re_path(r"^reviews/draws/(?P<ref>[A-Za-z0-9-]{1,40})\.json$", reviews.draw_json, name="review_draw_json"),
    path("reviews/draws/<str:ref>/checkpoint.txt", reviews.draw_checkpoint, name="review_draw_checkpoint"),
    path("reviews/draws/<str:ref>/", reviews.draw, name="review_draw"),
    # 我的证照 (证照夹, issue 12)
    path("me/licenses/", licenses.wallet, name="licenses"),
    path("me/licenses/<str:identifier>/", licenses.detail, name="license"),
    path("me/licenses/<str:identifier>/pdf", licenses.pdf, name="license_pdf"),
    path("me/licenses/<str:identifier>/cancel/", licenses.cancel, name="license_cancel"),
    # 用证授权 (issue 12): the holder shares a license; a third party uses the code or link
    path("me/licenses/<str:identifier>/share/", license_share.share, name="license_share"),
    path(
        "me/licenses/<str:identifier>/share/<id:authorisation_id>/withdraw/",
        license_share.withdraw,
        name="license_share_withdraw",
    ),
    path("licenses/use/", license_share.use_code, name="license_use"),
    path("licenses/use/<str:token>/", license_share.use_link, name="license_use_link"),
    # 我的数据使用记录 (issue 13): every read of the person's data, checked against the ledger
    path("me/data-reads/", data_reads.data_reads, name="data_reads"),
    # 我的消息 and 通知设置 (issue 11)
    *messages.CENTRE.urlpatterns("me/messages/", "me/notifications/"),
]
