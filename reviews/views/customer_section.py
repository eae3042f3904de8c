"""The customer's reviews (rating, causes, what they wrote) as a section of crm's customer page. Registered in
ReviewsConfig.ready() through crm.casework (crm does not import reviews)."""

from crm.casework import CustomerSection
from crm.models import Customer

from ..models import Review

LIMIT = 30


def _context(*, customer: Customer, user) -> dict:
    reviews = list(Review.objects.filter(customer=customer).order_by("-posted_at", "-id")[:LIMIT])
    return {"reviews": reviews}


REVIEWS_SECTION = CustomerSection(name="reviews", template="reviews/_customer_reviews.html", context=_context, order=10)
