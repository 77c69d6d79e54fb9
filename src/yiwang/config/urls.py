from django.contrib import admin
from django.urls import include, path

from yiwang.api.metrics import metrics
from yiwang.api.root import api, docs_view

admin.site.site_header = "一网通办 · 后台管理"
admin.site.site_title = "一网通办后台"
admin.site.index_title = "后台数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/docs", docs_view, name="api-docs"),
    path("api/v1/", api.urls),
    path("metrics", metrics, name="metrics"),
    path("accounts/", include("yiwang.accounts.urls")),
    path("workbench/", include("yiwang.workbench.urls")),
    path("", include("yiwang.portal.urls")),
]

# Chinese pages for people, problem+json under /api/ (yiwang/config/errors.py).
handler400 = "yiwang.config.errors.bad_request"
handler403 = "yiwang.config.errors.permission_denied"
handler404 = "yiwang.config.errors.page_not_found"
handler500 = "yiwang.config.errors.server_error"
