from django.urls import path

from yiwang.portal import disclosure, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_space, name="my_space"),
    path("disclosure/", disclosure.disclosure, name="disclosure"),
    path("ledger/entries/<int:entry_id>/", disclosure.ledger_entry, name="ledger_entry"),
]
