from django.urls import path

from . import views

app_name = "twilio"
urlpatterns = [
    path("messages/<int:followup_id>/status", views.message_status, name="message-status"),
    path("calls/<int:followup_id>/status", views.call_status, name="call-status"),
    path("calls/<int:followup_id>/bridge", views.call_bridge, name="call-bridge"),
    path("case-calls/<int:case_call_id>/status", views.case_call_status, name="case-call-status"),
    path("case-calls/<int:case_call_id>/bridge", views.case_call_bridge, name="case-call-bridge"),
    path("sms/inbound", views.inbound_sms, name="inbound-sms"),
]
