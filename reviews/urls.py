from django.urls import path

from reviews.views import evidence, manage, patrol, work

app_name = "reviews"

urlpatterns = [
    path("", patrol.patrol, name="patrol"),
    path("<int:pk>/", work.review_page, name="review"),
    path("<int:pk>/causes", work.correct_causes, name="causes"),
    path("<int:pk>/reply", work.reply_save, name="reply"),
    path("<int:pk>/reply/redraft", work.reply_redraft, name="redraft"),
    path("<int:pk>/case", work.open_case, name="open_case"),
    path("<int:pk>/case/evidence/review-images", work.evidence_review_images, name="evidence_images"),
    path("<int:pk>/evidence-pack", evidence.evidence_pack, name="evidence_pack"),
    path("<int:pk>/platform-complaint", work.platform_complaint, name="platform_complaint"),
    path("settings/", manage.settings_index, name="settings_index"),
    path("settings/<int:store_id>/", manage.store_settings, name="settings"),
    path("settings/<int:store_id>/monitors", manage.monitor_add, name="monitor_add"),
    path("settings/<int:store_id>/monitors/<int:monitor_id>/remove", manage.monitor_remove, name="monitor_remove"),
    path("settings/<int:store_id>/playbook", manage.play_set, name="play_set"),
    path("settings/<int:store_id>/replies/", manage.reply_templates, name="reply_templates"),
    path(
        "settings/<int:store_id>/replies/<int:template_id>/remove",
        manage.reply_template_remove,
        name="reply_template_remove",
    ),
    path("quality/", manage.quality, name="quality"),
    path("quality/refresh", manage.quality_refresh, name="quality_refresh"),
    path("<int:pk>/explain", work.explain, name="explain"),
]
