import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import AuditLog, Remedy, RemedyPlay
from reviews.models import CauseCorrection, KeywordMonitor, Review
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory
from tests.images import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(name="丝韵旗舰店", agent_remedy_limit=Decimal("100"))


def _bad_review(store, external_id="R1", text="手镯有裂纹,质量太差", **kwargs):
    order = OrderFactory(store=store, customer__store=store)
    from django.utils import timezone

    reviews_ingest(
        store=store,
        rows=[
            ReviewIn(
                external_id=external_id,
                rating=1,
                posted_at=timezone.now(),
                text=text,
                order=order.external_id,
                **kwargs,
            )
        ],
    )
    reviews_open_cases()
    return Review.objects.get(external_id=external_id)


def test_patrol_lists_flagged_reviews_with_evidence_marked(client, store, agent, django_assert_max_num_queries):
    for i in range(5):
        _bad_review(store, f"R{i}")
    client.force_login(agent.user)
    with django_assert_max_num_queries(12):
        response = client.get("/reviews/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="review-R') == 5
    assert '<mark class="evidence">质量太差</mark>' in html


def test_patrol_query_count_does_not_grow_with_rows(client, store, agent, django_assert_num_queries):
    client.force_login(agent.user)
    _bad_review(store, "R0")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/reviews/?view=latest")
    for i in range(1, 8):
        _bad_review(store, f"R{i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/reviews/?view=latest")
    assert len(many.captured_queries) == len(one.captured_queries)


def test_agent_of_another_store_sees_nothing(client, store):
    review = _bad_review(store, text="手镯有裂纹,质量太差,另一家店看不到")
    stranger = AgentFactory(stores=[StoreFactory()])
    client.force_login(stranger.user)
    # The review's text, not its short external id: a CSRF token can contain "R1".
    patrol = client.get("/reviews/?view=latest").content.decode()
    assert "另一家店看不到" not in patrol
    assert client.get(f"/reviews/{review.pk}/").status_code == 404
    assert client.post(f"/reviews/{review.pk}/causes", {"causes": ["size"]}).status_code == 404


def test_agent_works_the_case_page_and_a_step_out_of_order_shows_why(client, store, agent, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    review = _bad_review(store)
    client.force_login(agent.user)
    page, case = f"/reviews/{review.pk}/", f"/cases/{review.case_id}/"
    assert client.get(page).status_code == 200
    # The review page embeds crm's case workspace; its forms post to the case and come back here.
    response = client.post(f"{case}steps/cause_understood", {"next": page}, follow=True)
    assert response.redirect_chain[-1][0] == page
    assert "Attach at least one photo" in response.content.decode()
    photo = SimpleUploadedFile("crack.png", PNG, content_type="image/png")
    client.post(f"{case}evidence", {"photo": photo, "caption": "裂纹", "submission": str(uuid.uuid4())})
    evidence = review.case.evidence.get()
    assert client.get(f"/cases/evidence/{evidence.pk}").status_code == 200
    client.post(f"{case}steps/cause_understood", {"cause_understood-note": "看了照片"})
    client.post(f"{case}remedies", {"kind": "partial_refund", "cost": "300", "description": "退部分款"})
    remedy = review.case.remedies.get()
    assert remedy.status == Remedy.Status.AWAITING_APPROVAL
    # An agent cannot approve their own remedy.
    assert client.post(f"{case}remedies/{remedy.pk}/approve").status_code == 403
    client.post(f"{page}causes", {"causes": ["quality", "logistics"]})
    assert CauseCorrection.objects.get().after == ["quality", "logistics"]


def test_a_form_the_page_cannot_accept_says_why_and_changes_nothing(client, store, agent):
    review = _bad_review(store)
    client.force_login(agent.user)
    page = f"/reviews/{review.pk}/"
    assert client.post(f"/cases/{review.case_id}/steps/no_such_step").status_code == 404
    answer = client.post(f"{page}causes", {"causes": ["mood"]}, follow=True).content.decode()
    assert "mood is not one of the available choices" in answer
    assert not review.case.steps.exists() and not CauseCorrection.objects.exists()


def test_manager_approves_on_the_case_page_and_the_case_closes_with_a_root_cause(client, store, agent):
    review = _bad_review(store)
    from crm.services.cases import remedy_propose

    remedy = remedy_propose(case=review.case, agent=agent, kind="partial_refund", cost=Decimal("300"))
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    page = f"/reviews/{review.pk}/"
    assert 'data-testid="approve"' in client.get(page).content.decode()
    case = f"/cases/{review.case_id}/"
    client.post(f"{case}remedies/{remedy.pk}/approve")
    remedy.refresh_from_db()
    assert remedy.status == "approved"
    response = client.post(f"{case}close", {"root_cause": "", "next": page}, follow=True)
    assert review.case.status != "closed" and response.status_code == 200
    client.post(f"{case}remedies/{remedy.pk}/fulfil", {"reference": "REFUND-20261206-1"})  # the close needs it
    client.post(f"{case}close", {"root_cause": "supplier_defect"})
    review.case.refresh_from_db()
    assert (review.case.status, review.case.root_cause) == ("closed", "supplier_defect")


def test_manager_edits_keyword_monitors_and_the_change_is_audited(client, store):
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    assert client.get(f"/reviews/settings/{store.pk}/").status_code == 200
    client.post(f"/reviews/settings/{store.pk}/monitors", {"phrase": "假货"})
    client.post(f"/reviews/settings/{store.pk}/monitors", {"phrase": "假货"})
    monitor = KeywordMonitor.objects.get(store=store)
    assert monitor.phrase == "假货"
    client.post(f"/reviews/settings/{store.pk}/monitors/{monitor.pk}/remove")
    assert not KeywordMonitor.objects.exists()
    assert set(AuditLog.objects.values_list("action", flat=True)) == {"keyword_monitor_add", "keyword_monitor_remove"}


def test_manager_sets_a_playbook_option_and_a_bad_cost_is_said_with_its_field(client, store):
    client.force_login(ManagerFactory(stores=[store]).user)
    play = {"cause": "quality", "kind": "coupon", "cost": "30", "script": "送您一张30元券"}
    saved = client.post(f"/reviews/settings/{store.pk}/playbook", play, follow=True)
    assert saved.redirect_chain == [(f"/reviews/settings/{store.pk}/", 302)]
    assert RemedyPlay.objects.get(store=store, cause="quality", kind="coupon").cost == Decimal("30")
    refused = client.post(f"/reviews/settings/{store.pk}/playbook", {**play, "cost": "-5"}, follow=True)
    assert "Usual cost: Ensure this value is greater than or equal to 0." in refused.text
    assert RemedyPlay.objects.get(store=store, cause="quality", kind="coupon").cost == Decimal("30")


def test_agents_cannot_open_manager_review_pages(client, store, agent):
    client.force_login(agent.user)
    assert client.get(f"/reviews/settings/{store.pk}/").status_code == 404
    assert client.post(f"/reviews/settings/{store.pk}/monitors", {"phrase": "x"}).status_code == 404
    assert client.get("/reviews/quality/").status_code == 403


def test_policy_form_rejects_bad_input_with_a_message(client, store):
    client.force_login(ManagerFactory(stores=[store]).user)
    response = client.post(
        f"/reviews/settings/{store.pk}/",
        {"high_value_amount": "-1", "many_likes": "5", "many_images": "0", "repeat_complaints": "2"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "overrides",
    [
        {"many_likes": "99999999999"},
        {"many_images": "40000"},
        {"repeat_complaints": "40000"},
        {"high_value_amount": "999999999999"},
        {"high_value_amount": "1.005"},
    ],
)
def test_a_policy_number_too_big_to_keep_is_refused_on_the_form(client, store, overrides):
    client.force_login(ManagerFactory(stores=[store]).user)
    good = {"high_value_amount": "1000", "many_likes": "5", "many_images": "3", "repeat_complaints": "2"}
    response = client.post(f"/reviews/settings/{store.pk}/", {**good, **overrides})
    assert response.status_code == 400 and 'class="errorlist' in response.text


def test_quality_page_scores_the_classifier_against_agents_verdicts(client, store, agent):
    review = _bad_review(store, text="质量太差")
    other = _bad_review(store, "R2", text="物流太慢")
    client.force_login(agent.user)
    client.post(f"/reviews/{review.pk}/causes", {"causes": ["quality"]})  # confirmed
    client.post(f"/reviews/{other.pk}/causes", {"causes": ["service_attitude"]})  # corrected
    client.force_login(ManagerFactory(stores=[store]).user)
    response = client.get("/reviews/quality/")
    live = response.context["live"]
    quality = next(s for s in live.per_cause if s.cause == "quality")
    logistics = next(s for s in live.per_cause if s.cause == "logistics")
    assert (live.items, response.context["changed"]) == (2, 1)
    assert (quality.precision, quality.recall) == (1.0, 1.0)
    assert (logistics.precision, logistics.support) == (0.0, 0)


def test_evidence_pack_is_one_zip_with_the_timeline_and_is_audited(client, store, agent):
    import io
    import json
    import zipfile

    review = _bad_review(store, text="别家同款更便宜,质量差", images=["https://img.example/a.jpg"])
    client.force_login(agent.user)
    response = client.post(f"/reviews/{review.pk}/evidence-pack")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    pack = json.loads(archive.read("evidence.json"))
    assert pack["review"]["external_id"] == "R1" and pack["order"]["external_id"] == review.order.external_id
    assert pack["timeline"][0]["kind"] == "opened"
    assert "https://img.example/a.jpg" in archive.read("summary.txt").decode()
    assert AuditLog.objects.filter(action="review_evidence_export").count() == 1


def test_main_products_tab_lists_only_the_store_main_skus(client, store, agent):
    from reviews.models import ReviewPolicy

    ReviewPolicy.objects.create(store=store, main_skus=["SILK-01"])
    _bad_review(store, "MAIN", sku="SILK-01")
    _bad_review(store, "OTHER", sku="TEA-03")
    client.force_login(agent.user)
    html = client.get("/reviews/?view=main").content.decode()
    assert 'data-testid="review-MAIN"' in html and 'data-testid="review-OTHER"' not in html


@pytest.mark.parametrize(
    ("view", "index"), [("latest", "review_store_posted"), ("flagged", "review_store_flagged_posted")]
)
def test_the_patrol_reads_the_latest_reviews_of_its_store_through_the_store_index(client, view, index):
    # 60,000 reviews over five stores, a quarter flagged, statistics taken. With the user's stores as a subquery the
    # planner could not tell how few reviews they hold: it read and sorted every store's reviews to show 100.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tests.factories import ReviewFactory
    from tests.query_plans import scans_of

    stores = [StoreFactory() for _ in range(5)]
    columns = [f.column for f in Review._meta.concrete_fields if f.column not in {"id", "store_id", "external_id"}]
    columns = [c for c in columns if c not in {"posted_at", "flagged"}]
    template = ReviewFactory(store=stores[0], external_id="T", rating=2, text="差", posted_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO reviews_review (store_id, external_id, posted_at, flagged, {', '.join(columns)}) "  # noqa: S608
            f"SELECT (%s::bigint[])[1 + n %% 5], 'R' || n, now() - n * interval '1 minute', n %% 4 = 0, "
            f"{', '.join(columns)} FROM reviews_review, generate_series(1, 60000) AS n WHERE id = %s",
            [[s.pk for s in stores], template.pk],
        )
        cursor.execute("ANALYZE reviews_review")
        cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")
    client.force_login(ManagerFactory(stores=[stores[2]]).user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/reviews/", {"view": view})
    assert page.content.decode().count('data-testid="review-R') == 100
    [listing] = [q["sql"] for q in queries if 'ORDER BY "reviews_review"."posted_at" DESC' in q["sql"]]
    assert scans_of(listing, "reviews_review") == {("Index Scan", index)}


def test_the_quality_page_of_a_store_the_manager_does_not_serve_is_a_404_not_all_of_their_own(client, store):
    """`?store=` naming another store showed the figures of every store of the manager's, as if it were that one's;
    a refresh for it retrained nothing and said the figures were being computed."""
    other = StoreFactory(code="other-shop")
    client.force_login(ManagerFactory(stores=[store]).user)

    assert client.get("/reviews/quality/", {"store": other.code}).status_code == 404
    assert client.post("/reviews/quality/refresh", {"store": other.code}).status_code == 404
    assert client.get("/reviews/quality/", {"store": store.code}).status_code == 200
    assert client.get("/reviews/quality/").status_code == 200


def test_the_patrol_of_a_store_the_agent_does_not_serve_is_a_404_not_all_of_theirs(client, store, agent):
    """`?store=` naming another store (a link passed on, a code typed) listed every store of the agent's under that
    name's filter, as the escalations page did; a store outside yours is not found."""
    other = StoreFactory()
    _bad_review(other, "R-other")
    client.force_login(agent.user)

    assert client.get("/reviews/", {"store": other.code}).status_code == 404
    assert client.get("/reviews/", {"store": "no-such-store"}).status_code == 404
    assert client.get("/reviews/", {"store": store.code}).status_code == 200
    assert client.get("/reviews/", {"store": ""}).status_code == 200  # all my stores


def test_the_review_policy_form_refused_with_a_conflict_answers_409_with_the_reason(client, store, monkeypatch):
    # The form answered every refusal of its service with 400, whatever the refusal's own status.
    from crm.errors import Conflict
    from reviews.services import settings as review_settings

    def changed(**_kwargs):
        raise Conflict("Someone else changed this meanwhile.", field="high_value_amount")

    monkeypatch.setattr(review_settings, "review_policy_update", changed)
    client.force_login(ManagerFactory(stores=[store]).user)
    good = {"high_value_amount": "1000", "many_likes": "5", "many_images": "3", "repeat_complaints": "2"}
    response = client.post(f"/reviews/settings/{store.pk}/", good)

    assert response.status_code == 409 and "Someone else changed this meanwhile." in response.text
