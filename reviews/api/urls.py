from django.urls import path

from reviews.api.views import ReviewsView

app_name = "reviews_api"

urlpatterns = [path("v1/reviews", ReviewsView.as_view(), name="reviews")]
