from django.urls import path

from yiwang.portal import apply, disclosure, guide, messages, mycases, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_space, name="my_space"),
    path("guide/", guide.guide, name="guide"),
    path("guide/<str:basic_code>/", guide.item, name="item"),
    path("disclosure/", disclosure.disclosure, name="disclosure"),
    path("ledger/entries/<id:entry_id>/", disclosure.ledger_entry, name="ledger_entry"),
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
    # 我的消息 and 通知设置 (issue 11)
    *messages.CENTRE.urlpatterns("me/messages/", "me/notifications/"),
]
