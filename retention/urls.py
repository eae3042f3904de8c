from django.urls import path

from . import webhooks
from .views import campaigns, gifts, segments

app_name = "retention"

urlpatterns = [
    path("", segments.index, name="index"),
    path("<int:store_id>/segments/", segments.segments, name="segments"),
    path("<int:store_id>/segments/refresh/", segments.refresh, name="refresh"),
    path("<int:store_id>/segments/<int:segment_id>/", segments.segment, name="segment"),
    path("<int:store_id>/segments/<int:segment_id>.csv", segments.segment_csv, name="segment_csv"),
    path("<int:store_id>/campaigns/", campaigns.campaigns, name="campaigns"),
    path("<int:store_id>/campaigns/<int:campaign_id>/", campaigns.campaign, name="campaign"),
    path("<int:store_id>/campaigns/<int:campaign_id>/start/", campaigns.start, name="campaign_start"),
    path("<int:store_id>/campaigns/<int:campaign_id>/stop/", campaigns.stop, name="campaign_stop"),
    path("<int:store_id>/campaigns/<int:campaign_id>/test/", campaigns.test_send, name="campaign_test"),
    path("gift-tasks/", gifts.my_gift_tasks, name="my_gift_tasks"),
    path("<int:store_id>/gifts/", gifts.gifts, name="gifts"),
    path("<int:store_id>/gifts/tasks/<int:task_id>/send/", gifts.gift_send, name="gift_send"),
    path("twilio/messages/<int:contact_id>/status", webhooks.message_status, name="message-status"),
]
