from django.urls import path

from yiwang.portal import disclosure, guide, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_space, name="my_space"),
    path("guide/", guide.guide, name="guide"),
    path("guide/<str:basic_code>/", guide.item, name="item"),
    path("disclosure/", disclosure.disclosure, name="disclosure"),
    path("ledger/entries/<int:entry_id>/", disclosure.ledger_entry, name="ledger_entry"),
]
