"""The evidence pack for a suspected malicious review: one ZIP file for a complaint to the platform.

It holds evidence.json (the review, its revisions, the order, the case timeline and contacts), a readable summary.txt,
and the photos uploaded to the case (but those removed by the recheck of stored files, ADR 0047, which the summary names
with the upload check's refusal, in the language of whoever makes the pack). Review images are listed by address: the
platform has them.

A case may hold many photos of up to 10 MB each: the ZIP is written to a temporary file, each photo copied into it
in pieces (stored as it is: a JPEG, PNG, WebP or PDF does not compress further), and the download is sent from that
file, so a pack never sits in the web process's memory.
"""

import json
import shutil
import tempfile
import zipfile
from pathlib import PurePosixPath
from typing import IO, Any

from django.utils import timezone

from crm.evidence_removal import evidence_removal_text
from crm.models import CaseEvent, CaseEvidence
from crm.services.audit import audit_record
from crm.timezones import to_store_local

from ..models import Review

# Every reach-out, answered or not: a complaint to the platform shows that we tried.
CONTACT_KINDS = (CaseEvent.Kind.CALL, CaseEvent.Kind.CALL_ATTEMPT, CaseEvent.Kind.SMS)


def _when(moment, store) -> str | None:
    return to_store_local(moment, store).isoformat() if moment else None


def _pack(review: Review) -> dict[str, Any]:
    store = review.store
    order = review.order
    events = list(review.case.events.select_related("actor")) if review.case_id else []
    return {
        "store": {"code": store.code, "name": store.name, "platform": store.platform, "timezone": store.timezone},
        "review": {
            "external_id": review.external_id,
            "buyer": review.buyer,
            "order_number": review.order_ref,
            "product": review.product,
            "sku": review.sku,
            "rating": review.rating,
            "original_rating": review.original_rating,
            "text": review.text,
            "appended_text": review.appended_text,
            "images": review.images,
            "likes": review.likes,
            "posted_at": _when(review.posted_at, store),
            "appended_at": _when(review.appended_at, store),
            "causes": review.causes,
            "triage_group": review.triage_group,
            "triage_reasons": review.triage_reasons,
            "suspected_malicious": review.suspected_malicious,
        },
        "revisions": [
            {"at": _when(r.at, store), "from": r.old_rating, "to": r.new_rating, "appended_text": r.appended_text}
            for r in review.revisions.all()
        ],
        "order": None
        if order is None
        else {
            "external_id": order.external_id,
            "placed_at": _when(order.placed_at, store),
            "delivered_at": _when(order.delivered_at, store),
            "total_amount": str(order.total_amount),
            "currency": order.currency,
            "items": order.items,
            "courier": order.courier,
            "tracking_number": order.tracking_number,
            "status": order.status,
        },
        "timeline": [
            {"at": _when(e.at, store), "kind": e.kind, "by": str(e.actor or ""), "message": e.message} for e in events
        ],
        "contacts": [
            {"at": _when(e.at, store), "kind": e.kind, "by": str(e.actor or ""), "message": e.message}
            for e in events
            if e.kind in CONTACT_KINDS
        ],
        "exported_at": _when(timezone.now(), store),
    }


def _in_place(value: Any) -> str:
    """A value as written into the summary: its own line breaks (CR, LF, a line separator ...) indented under the
    line it starts on, so a review's text cannot add lines that read as the summary's own ("订单 Order: ...")."""
    return "\n    ".join(str(value).splitlines()) if value not in (None, "") else ""


def _summary(pack: dict[str, Any], *, missing: list[str], removed: list[str]) -> str:
    review = {key: _in_place(value) if isinstance(value, str) else value for key, value in pack["review"].items()}
    order = None if pack["order"] is None else {key: _in_place(value) for key, value in pack["order"].items()}
    store = {key: _in_place(value) for key, value in pack["store"].items()}
    lines = [
        f"店铺 Store: {store['name']} ({store['platform']})",
        f"评价 Review: {review['external_id']}  ★{review['rating']}  {review['posted_at']}",
        f"买家 Buyer: {review['buyer'] or '-'}   订单号 Order number: {review['order_number'] or '-'}",
        f"内容 Text: {review['text']}",
        f"追评 Appended: {review['appended_text'] or '-'}",
        f"疑点 Why suspected: {_in_place(', '.join(review['triage_reasons'])) or '-'}",
        "",
        "订单 Order: " + ("未找到匹配订单 no matching order" if order is None else order["external_id"]),
    ]
    if order:
        lines.append(f"  下单 placed {order['placed_at']}  签收 delivered {order['delivered_at'] or '-'}")
        lines.append(
            f"  金额 amount {order['total_amount']} {order['currency']}"
            f"  物流 courier {order['courier']} {order['tracking_number']}"
        )

    def entry(e: dict[str, Any]) -> str:
        return f"  {e['at']}  {e['kind']}  {_in_place(e['by'])}  {_in_place(e['message'])}"

    lines += ["", "时间线 Timeline:"]
    lines += [entry(e) for e in pack["timeline"]] or ["  -"]
    lines += ["", "联系记录 Contacts:"]
    lines += [entry(c) for c in pack["contacts"]] or ["  -"]
    lines += ["", "图片 Review images:"] + [f"  {_in_place(url)}" for url in review["images"]]
    if missing:  # a photo row whose file is no longer in storage
        lines += ["", "缺失的照片 Photos missing from storage:"] + [f"  {name}" for name in missing]
    if removed:  # a stored file the upload check refuses today (ADR 0047): not in the pack
        lines += ["", "已移除的文件 Files removed (refused by the upload check):"] + [f"  {why}" for why in removed]
    return "\n".join(lines) + "\n"


COPY_PIECE = 256 * 1024


def evidence_pack_export(*, review: Review, actor) -> tuple[str, IO[bytes]]:
    """(file name, the ZIP as an open temporary file at its start; the caller streams and closes it). Exports are
    audited."""
    pack = _pack(review)
    file = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    try:
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("evidence.json", json.dumps(pack, ensure_ascii=False, indent=2))
            missing, removed = [], []
            if review.case_id:
                photos = CaseEvidence.objects.filter(case_id=review.case_id).exclude(image="").order_by("pk")
                for evidence in photos:
                    name = f"photos/{evidence.pk}-{PurePosixPath(evidence.image.name).name}"
                    if evidence.quarantined_at is not None:  # kept in storage for audit, never handed out
                        # Why, in words (the check's refusal, in the language of whoever makes the pack), not a code.
                        removed.append(evidence_removal_text(evidence.quarantine_reason, field=name))
                        continue
                    try:
                        photo = evidence.image.open("rb")
                    except FileNotFoundError:
                        missing.append(name)
                        continue
                    entry = zipfile.ZipInfo(
                        name, date_time=to_store_local(evidence.added_at, review.store).timetuple()[:6]
                    )
                    with photo, archive.open(entry, "w") as stored:
                        shutil.copyfileobj(photo, stored, COPY_PIECE)
            archive.writestr("summary.txt", _summary(pack, missing=missing, removed=removed))
        file.seek(0)
    except BaseException:
        file.close()
        raise
    audit_record(actor=actor, action="review_evidence_export", store=review.store, target=f"review:{review.pk}")
    return f"evidence-{review.store.code}-{review.external_id}.zip", file
