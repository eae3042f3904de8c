"""Managers edit the store's reply templates on a page linked from the policy page: validated, audited, scoped."""

import pytest
from django.utils.html import escape

from crm.models import AuditLog
from reviews.models import ReplyTemplate
from reviews.replies import voice_for
from tests.factories import AgentFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(name="丝韵旗舰店")


@pytest.fixture
def manager(store):
    return ManagerFactory(user__username="zhou", stores=[store])


def _page(store) -> str:
    return f"/reviews/settings/{store.pk}/replies/"


def _new(text: str, part: str = "body", sentiment: str = "bad", cause: str = "quality") -> dict[str, str]:
    return {"new-part": part, "new-sentiment": sentiment, "new-cause": cause, "new-text": text}


def test_a_manager_adds_a_template_that_reply_drafts_then_use_and_the_change_is_audited(client, store, manager):
    client.force_login(manager.user)

    response = client.post(_page(store), _new("  很抱歉{product}的质量让您失望，我们马上处理。 "))

    assert response.status_code == 302
    template = ReplyTemplate.objects.get(store=store)
    assert template.text == "很抱歉{product}的质量让您失望，我们马上处理。"
    assert voice_for(store=store).pieces("body", "zh", "bad", "quality") == [template.text]
    entry = AuditLog.objects.get(action="reply_template_save")
    assert (entry.store, entry.actor) == (store, manager.user)
    assert entry.data == {"id": template.pk, "text": template.text, "before": None}
    assert template.text in client.get(_page(store)).content.decode()


def test_a_manager_edits_a_template_and_the_audit_keeps_the_old_text(client, store, manager):
    template = ReplyTemplate.objects.create(store=store, part="closing", text="祝您生活愉快。")
    client.force_login(manager.user)

    response = client.post(
        _page(store),
        {"template": template.pk, f"t{template.pk}-part": "closing", f"t{template.pk}-text": "期待您再次光临{store}。"},
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.text, template.sentiment, template.cause) == ("期待您再次光临{store}。", "", "")
    assert AuditLog.objects.get(action="reply_template_save").data["before"] == "祝您生活愉快。"


@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_template_is_refused_with_a_clear_error_and_nothing_is_saved(client, store, manager, text):
    client.force_login(manager.user)

    response = client.post(_page(store), _new(text))

    assert response.status_code == 400
    assert "an empty template would leave a gap in the reply" in response.content.decode()
    assert not ReplyTemplate.objects.exists() and not AuditLog.objects.exists()


def test_emptying_an_existing_template_is_refused_and_it_keeps_its_text(client, store, manager):
    template = ReplyTemplate.objects.create(store=store, part="opening", text="亲，您好！")
    client.force_login(manager.user)

    response = client.post(_page(store), {"template": template.pk, f"t{template.pk}-part": "opening"})

    assert response.status_code == 400
    template.refresh_from_db()
    assert template.text == "亲，您好！"


def test_a_too_long_or_twin_template_is_refused(client, store, manager):
    client.force_login(manager.user)
    client.post(_page(store), _new("质量问题我们负责到底。"))

    twin = client.post(_page(store), _new("质量问题我们负责到底。"))
    too_long = client.post(_page(store), _new("长" * 301))

    # A twin is a conflict with what the store has (409), not input to correct (400): the form answers with each
    # refusal's own status (crm.pages.form_refused).
    assert (twin.status_code, too_long.status_code) == (409, 400)
    assert "already has this text" in twin.content.decode()
    assert "At most 300 characters" in too_long.content.decode()
    assert ReplyTemplate.objects.count() == 1


def test_the_error_is_shown_in_chinese_for_a_chinese_manager(client, store, manager):
    client.force_login(manager.user)
    client.cookies["django_language"] = "zh-hans"

    response = client.post(_page(store), _new(""))

    assert "请填写模板内容" in response.content.decode()


def test_an_agent_can_neither_see_nor_change_the_templates(client, store):
    template = ReplyTemplate.objects.create(store=store, part="opening", text="亲，您好！")
    client.force_login(AgentFactory(stores=[store]).user)

    assert client.get(_page(store)).status_code == 404
    assert client.post(_page(store), _new("代理写的")).status_code == 404
    assert client.post(f"{_page(store)}{template.pk}/remove").status_code == 404
    assert list(ReplyTemplate.objects.values_list("text", flat=True)) == ["亲，您好！"]
    assert not AuditLog.objects.exists()


def test_a_manager_of_another_store_can_neither_see_nor_change_the_templates(client, store):
    template = ReplyTemplate.objects.create(store=store, part="opening", text="亲，您好！")
    other = StoreFactory()
    client.force_login(ManagerFactory(stores=[other]).user)

    assert client.get(_page(store)).status_code == 404
    assert client.post(_page(store), _new("别家写的")).status_code == 404
    # Through their own store's page, naming this store's template.
    edit = {"template": template.pk, f"t{template.pk}-part": "opening", f"t{template.pk}-text": "别家改的"}
    assert client.post(_page(other), edit).status_code == 404
    assert client.post(f"{_page(other)}{template.pk}/remove").status_code == 404
    assert list(ReplyTemplate.objects.values_list("text", flat=True)) == ["亲，您好！"]
    assert not AuditLog.objects.exists()


def test_a_manager_removes_a_template_and_the_removal_is_audited(client, store, manager):
    template = ReplyTemplate.objects.create(store=store, part="opening", text="亲，您好！")
    client.force_login(manager.user)

    assert client.post(f"{_page(store)}{template.pk}/remove").status_code == 302

    assert not ReplyTemplate.objects.exists()
    assert AuditLog.objects.get(action="reply_template_remove").data == {"id": template.pk, "text": "亲，您好！"}


def test_the_policy_page_links_to_the_reply_templates(client, store, manager):
    client.force_login(manager.user)

    page = client.get(f"/manager/policy/?store={store.code}").content.decode()

    assert f'href="{_page(store)}"' in page


@pytest.mark.parametrize("template_id", ["abc", "²", "-1", "9" * 30])
def test_a_template_id_that_names_no_template_is_a_404(client, store, manager, template_id):
    client.force_login(manager.user)
    assert client.post(_page(store), {"template": template_id, **_new("改的")}).status_code == 404
    assert not ReplyTemplate.objects.exists()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{name}您好,感谢您的评价。", "Unknown placeholder {name}; use {store}, {product}."),
        ("亲爱的{buyer},我们马上处理。", "Unknown placeholder {buyer}; use {store}, {product}."),
        ("感谢您选择{store的用心评价。", "A brace is not closed: write placeholders as {store}, {product}."),
        ("您购买的｛product｝我们会换新。", "｛product｝ is written with full-width braces; write {product}."),
        ("{}您好", "Unknown placeholder {}; use {store}, {product}."),
    ],
)
def test_a_template_with_a_placeholder_no_review_fills_is_refused_naming_it(client, store, manager, text, reason):
    client.force_login(manager.user)

    response = client.post(_page(store), _new(text))

    assert response.status_code == 400
    assert escape(reason) in response.content.decode()
    assert not ReplyTemplate.objects.exists()


def test_a_template_saved_before_placeholders_were_checked_never_reaches_a_draft(store):
    from datetime import UTC, datetime

    from reviews.models import ReviewReply
    from reviews.services.intake import ReviewIn, reviews_ingest

    ReplyTemplate.objects.create(store=store, part="opening", sentiment="good", text="亲爱的{buyer},")
    ReplyTemplate.objects.create(store=store, part="opening", sentiment="good", text="亲,您好!")
    rows = [ReviewIn(external_id=f"R{i}", rating=5, posted_at=datetime(2026, 11, 22, tzinfo=UTC)) for i in range(6)]

    reviews_ingest(store=store, rows=rows)

    texts = list(ReviewReply.objects.values_list("text", flat=True))
    assert len(texts) == 6 and not [t for t in texts if "{" in t]


def test_an_agent_reply_still_holding_a_placeholder_is_refused(client, store):
    from datetime import UTC, datetime, timedelta

    from reviews.models import Review, ReviewReply
    from reviews.services.intake import ReviewIn, reviews_ingest

    recent = datetime.now(UTC) - timedelta(days=1)  # Tmall takes a reply within 30 days of the review
    reviews_ingest(store=store, rows=[ReviewIn(external_id="R1", rating=5, posted_at=recent)])
    review = Review.objects.get()
    client.force_login(AgentFactory(stores=[store]).user)

    answer = client.post(f"/reviews/{review.pk}/reply", {"text": "谢谢您对{product}的喜欢!"}, follow=True)

    assert escape("The reply still has the placeholder {product}: write what it stands for.") in answer.text
    assert "{product}" not in ReviewReply.objects.get().text
