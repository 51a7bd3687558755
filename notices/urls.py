from django.urls import path, register_converter

from notices import views


class KindConverter:
    regex = "notice|policy"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "kind")

app_name = "notices"

urlpatterns = [
    path("", views.home, name="home"),
    path("notice/", views.notice, name="notice"),
    path(
        "notice/versions/<int:number>/",
        views.version_detail,
        {"kind": "notice"},
        name="notice-version",
    ),
    path("notice/<slug:slug>/", views.account_notice, name="account-notice"),
    path("policy/", views.policy, name="policy"),
    path(
        "policy/versions/<int:number>/",
        views.version_detail,
        {"kind": "policy"},
        name="policy-version",
    ),
    path("versions/", views.version_list, name="versions"),
    path("staff/notices/", views.review, name="review"),
    path("staff/notices/<kind:kind>/draft/", views.draft_preview, name="draft"),
    path(
        "staff/notices/<kind:kind>/prepare/", views.draft_prepare, name="draft-prepare"
    ),
    path(
        "staff/notices/<kind:kind>/discard/", views.draft_discard, name="draft-discard"
    ),
    path("staff/notices/<kind:kind>/publish/", views.publish, name="publish"),
    path(
        "staff/policy/acknowledge/",
        views.policy_acknowledge,
        name="policy-acknowledge",
    ),
    path(
        "staff/policy/acknowledgments/",
        views.policy_acknowledgments,
        name="policy-acknowledgments",
    ),
    path("staff/notices/accounts/<int:pk>/", views.account_link, name="account-link"),
    path("staff/notices/accounts/<int:pk>/qr.svg", views.account_qr, name="account-qr"),
]
