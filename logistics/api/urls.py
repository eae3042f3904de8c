from django.urls import path

from .views import ShipmentsView

app_name = "logistics_api"

urlpatterns = [path("v1/shipments", ShipmentsView.as_view(), name="shipments")]
