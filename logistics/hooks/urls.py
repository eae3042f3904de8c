from django.urls import path

from . import views

app_name = "logistics_hooks"
urlpatterns = [
    path("kuaidi100/", views.kuaidi100, name="kuaidi100"),
    path("aftership/", views.aftership, name="aftership"),
    path("notices/<int:notice_id>/status", views.notice_status, name="notice-status"),
]
