from celery import shared_task

from reviews.services.cases import reviews_open_cases


@shared_task(name="reviews.open_cases")
def open_cases() -> int:
    return reviews_open_cases()
