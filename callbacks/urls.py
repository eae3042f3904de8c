from django.urls import path

from callbacks.views import panel, queue

app_name = "callbacks"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("<int:pk>/", panel.panel, name="panel"),
    path("<int:pk>/outcome", panel.log_outcome, name="outcome"),
    path("<int:pk>/reveal", panel.reveal_phone, name="reveal"),
    path("<int:pk>/call", panel.place_call, name="call"),
    path("<int:pk>/call/status", panel.call_status, name="call-status"),
    path("<int:pk>/profile", panel.profile, name="profile"),
    path("<int:pk>/reassign", queue.reassign, name="reassign"),
    path("script/<int:store_id>/", queue.call_script, name="script"),
]
