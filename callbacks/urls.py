from django.urls import path

from callbacks.views import panel, queue
from callbacks.views.panel import CASE_CALL, FOLLOWUP

app_name = "callbacks"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("<int:pk>/", panel.panel, name="panel"),
    path("<int:pk>/outcome", panel.log_outcome, name="outcome"),
    path("<int:pk>/reveal", panel.reveal_phone, {"kind": FOLLOWUP}, name="reveal"),
    path("<int:pk>/call", panel.place_call, {"kind": FOLLOWUP}, name="call"),
    path("<int:pk>/call/status", panel.call_status, {"kind": FOLLOWUP}, name="call-status"),
    path("<int:pk>/profile", panel.profile, {"kind": FOLLOWUP}, name="profile"),
    path("<int:pk>/reassign", queue.reassign, name="reassign"),
    path("script/<int:store_id>/", queue.call_script, name="script"),
    # Calls about a crm case, opened from its page ("Call the customer"); not part of tonight's queue.
    path("cases/<int:case_id>/call", panel.case_call_open_view, name="case-call-open"),
    path("case-calls/<int:pk>/", panel.case_call_panel, name="case-call"),
    path("case-calls/<int:pk>/outcome", panel.case_call_outcome, name="case-call-outcome"),
    path("case-calls/<int:pk>/reveal", panel.reveal_phone, {"kind": CASE_CALL}, name="case-call-reveal"),
    path("case-calls/<int:pk>/call", panel.place_call, {"kind": CASE_CALL}, name="case-call-call"),
    path("case-calls/<int:pk>/call/status", panel.call_status, {"kind": CASE_CALL}, name="case-call-status"),
    path("case-calls/<int:pk>/profile", panel.profile, {"kind": CASE_CALL}, name="case-call-profile"),
]
