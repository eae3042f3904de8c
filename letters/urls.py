from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("", views.batch_page, name="batch"),
    path("prepare/", views.batch_prepare, name="prepare"),
    path("batches/<int:batch_id>.pdf", views.batch_pdf, name="batch_pdf"),
    path("batches/<int:batch_id>/cue-cards.pdf", views.batch_pdf, {"cue_cards": True}, name="batch_cue_cards"),
    path("batches/<int:batch_id>/printed/", views.batch_printed, name="batch_printed"),
    path("<int:letter_id>/reprint.pdf", views.letter_reprint, name="reprint"),
    path("templates/", views.templates_page, name="templates"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:template_id>/", views.template_edit, name="template"),
    path("templates/preview/", views.template_preview, name="template_preview"),
    path("rule/", views.rule_page, name="rule"),
    path("inserts/", views.inserts_page, name="inserts"),
    path("inserts/<int:insert_id>/", views.inserts_page, name="insert"),
]
