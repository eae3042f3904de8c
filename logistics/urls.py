from django.urls import path

from . import views

app_name = "logistics"
urlpatterns = [
    path("", views.board, name="board"),
    path("shipments/<int:shipment_id>/", views.shipment, name="shipment"),
    path("settings/", views.settings_page, name="settings"),
]
