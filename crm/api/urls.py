from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from crm.api import views

app_name = "api"

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the Content-Security-Policy allows no inline script.
    path(
        "docs",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="crm/api_docs.html"),
        name="docs",
    ),
    path("v1/orders", views.OrdersView.as_view(), name="orders"),
    path("v1/deliveries", views.DeliveriesView.as_view(), name="deliveries"),
    # Any characters, newlines included: an id that matches no order must get the API's JSON 404.
    re_path(r"^v1/orders/(?P<external_id>(?s:.+))$", views.OrderDetailView.as_view(), name="order-detail"),
]
