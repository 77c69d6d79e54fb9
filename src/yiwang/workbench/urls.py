from django.urls import path

from yiwang.workbench import catalog, views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", catalog.catalog_home, name="catalog"),
    path("catalog/items/new/", catalog.item_new, name="catalog_item_new"),
    path("catalog/items/<str:basic_code>/", catalog.item_detail, name="catalog_item"),
    path(
        "catalog/items/<str:basic_code>/implementations/new/",
        catalog.implementation_new,
        name="catalog_implementation_new",
    ),
    path("catalog/item-versions/<int:pk>/", catalog.item_version, name="catalog_item_version"),
    path("catalog/implementations/<int:pk>/", catalog.implementation_detail, name="catalog_implementation"),
    path(
        "catalog/implementation-versions/<int:pk>/",
        catalog.implementation_version,
        name="catalog_implementation_version",
    ),
]
