from django.urls import path

from .views import audit, board, policy, report

app_name = "reports"

urlpatterns = [
    path("escalations/", board.escalations, name="escalations"),
    path("escalations/reviews/<int:review_id>/seen/", board.review_after_close_seen, name="review_after_close_seen"),
    path("approvals/", board.approvals, name="approvals"),
    path("approvals/<int:remedy_id>/approve/", board.remedy_decide, {"decision": "approve"}, name="remedy_approve"),
    path("approvals/<int:remedy_id>/decline/", board.remedy_decide, {"decision": "decline"}, name="remedy_decline"),
    path("reports/", report.report, name="report"),
    path("reports/recalculate/", report.report_recalculate, name="report_recalculate"),
    path("reports/<slug:section>.csv", report.report_csv, name="report_csv"),
    path("audit/", audit.audit_log, name="audit"),
    path("policy/", policy.policy, name="policy"),
    path("policy/<slug:section>/", policy.policy_save, name="policy_save"),
    path("policy/agents/<int:agent_id>/", policy.agent_shift_save, name="policy_agent"),
    path("policy/closures/<int:closure_id>/remove/", policy.closure_remove, name="policy_closure_remove"),
]
