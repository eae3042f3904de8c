from django.urls import path

from crm.views import cases, customers

case_urls = (
    [
        path("", cases.case_list_page, name="list"),
        path("<int:case_id>/", cases.case_page, name="case"),
        path("<int:case_id>/timeline/", cases.case_timeline_redirect, name="timeline"),
        path("<int:case_id>/steps/<slug:step>", cases.step_mark, name="step"),
        path("<int:case_id>/evidence", cases.evidence_upload, name="evidence"),
        path("evidence/<int:evidence_id>", cases.evidence_file, name="evidence_file"),
        path("<int:case_id>/remedies", cases.remedy_add, name="remedy"),
        path(
            "<int:case_id>/remedies/<int:remedy_id>/approve",
            cases.remedy_decide,
            {"decision": "approve"},
            name="approve",
        ),
        path(
            "<int:case_id>/remedies/<int:remedy_id>/decline",
            cases.remedy_decide,
            {"decision": "decline"},
            name="decline",
        ),
        path("<int:case_id>/remedies/<int:remedy_id>/fulfil", cases.remedy_fulfil, name="fulfil"),
        path("<int:case_id>/remedies/<int:remedy_id>/confirm", cases.remedy_confirm, name="confirm"),
        path("<int:case_id>/remedies/<int:remedy_id>/withdraw", cases.remedy_withdraw, name="withdraw"),
        path("<int:case_id>/negotiation-failed", cases.negotiation_failed, name="negotiation_failed"),
        path("<int:case_id>/decision", cases.manager_decide, name="decide"),
        path("<int:case_id>/reassign", cases.reassign, name="reassign"),
        path("<int:case_id>/wait", cases.wait, name="wait"),
        path("<int:case_id>/resume", cases.resume, name="resume"),
        path("<int:case_id>/close", cases.close, name="close"),
        path("<int:case_id>/reopen/", cases.reopen, name="reopen"),
    ],
    "cases",
)

customer_urls = (
    [
        path("", customers.customer_list, name="list"),
        path("<int:customer_id>/", customers.customer_page, name="customer"),
        path("<int:customer_id>/profile", customers.customer_profile, name="profile"),
        path("<int:customer_id>/phone", customers.customer_phone, name="phone"),
        path("<int:customer_id>/cases", customers.customer_open_case, name="open_case"),
    ],
    "customers",
)
