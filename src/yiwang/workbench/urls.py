from django.urls import path

from yiwang.workbench import cases, catalog, messages, views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", catalog.catalog_home, name="catalog"),
    path("catalog/items/new/", catalog.item_new, name="catalog_item_new"),
    path("catalog/items/<str:key>/", catalog.owner_page, {"kind": "item"}, name="catalog_item"),
    path(
        "catalog/items/<str:basic_code>/implementations/new/",
        catalog.implementation_new,
        name="catalog_implementation_new",
    ),
    path("catalog/item-versions/<id:pk>/", catalog.version_page, {"kind": "item"}, name="catalog_item_version"),
    path(
        "catalog/implementations/<id:key>/",
        catalog.owner_page,
        {"kind": "implementation"},
        name="catalog_implementation",
    ),
    path(
        "catalog/implementation-versions/<id:pk>/",
        catalog.version_page,
        {"kind": "implementation"},
        name="catalog_implementation_version",
    ),
    # 办件办理 (issue 4)
    path("cases/", cases.case_list, name="cases"),
    path("cases/<str:number>/", cases.case_page, name="case"),
    path("cases/<str:number>/actions/<str:action>/", cases.case_action, name="case_action"),
    path("cases/<str:number>/materials/<id:material_id>/", cases.material_download, name="case_material"),
    path("tasks/<id:task_id>/<str:action>/", cases.task_action, name="task_action"),
    # 我的消息, 通知设置, 消息发送状态 (issue 11)
    *messages.CENTRE.urlpatterns("messages/", "notifications/"),
    path("deliveries/", messages.deliveries, name="deliveries"),
    path("deliveries/<id:message_id>/retry/", messages.delivery_retry, name="delivery_retry"),
]
