from django.urls import path

from yiwang.workbench import (
    cases,
    catalog,
    exchange,
    exchange_clients,
    exchange_demands,
    improvements,
    licenses,
    messages,
    ratings,
    ratings_intake,
    supervision,
    views,
)

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
    path("cases/<str:number>/evidence/<id:evidence_id>/", cases.evidence_page, name="case_evidence"),
    path("tasks/<id:task_id>/<str:action>/", cases.task_action, name="task_action"),
    # 电子证照 of the department: list, page, 暂停 / 恢复 / 撤销 / 变更换发 (issue 12)
    path("licenses/", licenses.license_list, name="licenses"),
    path("licenses/<str:identifier>/", licenses.license_page, name="license"),
    path("licenses/<str:identifier>/actions/<str:action>/", licenses.license_action, name="license_action"),
    # 我的消息, 通知设置, 消息发送状态 (issue 11)
    *messages.CENTRE.urlpatterns("messages/", "notifications/"),
    path("deliveries/", messages.deliveries, name="deliveries"),
    path("deliveries/<id:message_id>/retry/", messages.delivery_retry, name="delivery_retry"),
    # 数据共享 for data stewards (issue 13)
    path("exchange/", exchange.exchange_home, name="exchange"),
    path("exchange/resources/", exchange.resource_list, name="exchange_resources"),
    path("exchange/resources/new/", exchange.resource_new, name="exchange_resource_new"),
    path("exchange/resources/<str:code>/", exchange.resource_page, name="exchange_resource"),
    path("exchange/resources/<str:code>/amend/", exchange.resource_amend, name="exchange_resource_amend"),
    path("exchange/resources/<str:code>/retire/", exchange.resource_retire, name="exchange_resource_retire"),
    path("exchange/resources/<str:code>/demand/", exchange_demands.demand_new, name="exchange_demand_new"),
    path("exchange/demands/", exchange_demands.demand_list, name="exchange_demands"),
    path("exchange/demands/<str:number>/", exchange_demands.demand_page, name="exchange_demand"),
    path("exchange/demands/<str:number>/<str:action>/", exchange_demands.demand_action, name="exchange_demand_action"),
    path("exchange/grants/", exchange_demands.grant_list, name="exchange_grants"),
    path("exchange/grants/<id:grant_id>/<str:action>/", exchange_demands.grant_action, name="exchange_grant_action"),
    path("exchange/clients/", exchange_clients.client_list, name="exchange_clients"),
    path("exchange/clients/new/", exchange_clients.client_new, name="exchange_client_new"),
    path("exchange/clients/<id:client_id>/", exchange_clients.client_page, name="exchange_client"),
    path(
        "exchange/clients/<id:client_id>/<str:action>/",
        exchange_clients.client_action,
        name="exchange_client_action",
    ),
    # 好差评: the department's answers to bad reviews, appeals, the hotline and the hall tablet (issue 14)
    # 电子监察: the monitoring dashboard, its export and the cases behind each figure (issue 15)
    path("supervision/", supervision.board, name="supervision"),
    path("supervision/export.xlsx", supervision.export, name="supervision_export"),
    path("supervision/cases/", supervision.drill, name="supervision_cases"),
    path("ratings/", ratings.rating_list, name="ratings"),
    path("improvements/", improvements.improvement_list, name="improvements"),
    path("improvements/new/<id:implementation_id>/", improvements.improvement_new, name="improvement_new"),
    path("improvements/<id:improvement_id>/", improvements.improvement_page, name="improvement"),
    path("improvements/<id:improvement_id>/answer/", improvements.improvement_answer, name="improvement_answer"),
    path("improvements/<id:improvement_id>/drop/", improvements.improvement_drop, name="improvement_drop"),
    path("ratings/hotline/", ratings_intake.hotline, name="rating_hotline"),
    path("ratings/hall/<str:number>/", ratings_intake.hall_link, name="rating_hall_link"),
    path("ratings/<id:rating_id>/", ratings.rating_page, name="rating"),
    path("ratings/<id:rating_id>/actions/<str:action>/", ratings.rating_action, name="rating_action"),
]
