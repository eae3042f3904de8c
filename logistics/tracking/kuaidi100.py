"""Kuaidi100 (快递100): the subscribe call and the push format (../shared/PROVIDERS.md; kuaidi100-api/java-demo).

Subscribe: POST KUAIDI100_POLL_URL with form fields `schema=json` and `param=<json>`, where
param = {company, number, key, parameters: {callbackurl, salt, resultv2, phone?}}. The answer is JSON
{result, returnCode, message}: 200 accepted, 501 already subscribed (fine for us), other codes a refusal.
Pushes are handled by logistics.hooks (signature) and `push_parse` below (fields to a TrackingUpdate).
"""

import hashlib
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import requests
from django.conf import settings

from logistics.models import ShipmentState
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate

from .base import Subscription, SubscriptionRefused, TrackingBackend, TrackingError, check_text, check_times

# The exact acknowledgement Kuaidi100 expects; anything else makes it retry the push three times.
ACK = json.dumps(
    {"result": True, "returnCode": "200", "message": "提交成功"}, ensure_ascii=False, separators=(",", ":")
)
# lastResult.state -> ours. 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投; with resultv2 the
# sub-states 8 清关 and 14 拒签 may come too. Anything else keeps the parcel in transit.
STATES = {
    "0": ShipmentState.IN_TRANSIT,
    "1": ShipmentState.PICKED_UP,
    "2": ShipmentState.PROBLEM,
    "3": ShipmentState.SIGNED,
    "4": ShipmentState.REFUSED,
    "5": ShipmentState.OUT_FOR_DELIVERY,
    "6": ShipmentState.RETURNING,
    "7": ShipmentState.REDIRECTED,
    "8": ShipmentState.IN_TRANSIT,
    "14": ShipmentState.REFUSED,
}
# Kuaidi100 writes checkpoint times as Beijing wall-clock time without an offset.
PROVIDER_TZ = ZoneInfo("Asia/Shanghai")
ACCEPTED_CODES = ("200", "501")  # 501: this number is already subscribed


def sign(param: str, salt: str) -> str:
    return hashlib.md5((param + salt).encode()).hexdigest().upper()  # noqa: S324 (the provider's scheme)


class PushInvalid(ValueError):
    pass


def _moment(text: str) -> datetime:
    return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=PROVIDER_TZ).astimezone(UTC)


def push_parse(param: str) -> TrackingUpdate:
    """The `param` form field of a push -> a TrackingUpdate; raises PushInvalid on anything malformed."""
    try:
        body = json.loads(param)
        last = body.get("lastResult") or {}
        status = str(body.get("status") or "")
        number = str(last.get("nu") or "").strip()
        courier = str(last.get("com") or "").strip()
        if body.get("autoCheck") in (1, "1") and body.get("comOld"):
            couriers = (courier, str(body["comOld"]))
        else:
            couriers = (courier,)
        checkpoints = [
            TrackedCheckpoint(
                at=_moment(item.get("ftime") or item["time"]),
                text=str(item.get("context") or "")[:500],
                location=str(item.get("areaName") or item.get("location") or "")[:100],
                status=str(item.get("status") or "")[:40],
            )
            for item in last.get("data") or []
        ]
        state = STATES.get(str(last.get("state", "")), ShipmentState.IN_TRANSIT) if checkpoints else None
        check_text(status, number, *couriers, *(text for c in checkpoints for text in (c.text, c.location, c.status)))
        check_times(*(c.at for c in checkpoints))
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        # Overflow: a time in year 1. Recursion: json.loads of arrays or objects nested thousands deep.
        raise PushInvalid(str(exc)) from exc
    if not number:
        raise PushInvalid("lastResult.nu is missing")
    return TrackingUpdate(
        couriers=couriers, number=number, state=state, checkpoints=checkpoints, provider_status=status[:16]
    )


class Kuaidi100Backend(TrackingBackend):
    def __init__(self) -> None:
        self.session = requests.Session()

    def subscribe(self, subscription: Subscription) -> None:
        parameters = {"callbackurl": subscription.callback_url, "salt": subscription.salt, "resultv2": "1"}
        if subscription.phone:
            parameters["phone"] = subscription.phone
        param = {
            "company": subscription.courier,
            "number": subscription.number,
            "key": settings.KUAIDI100_KEY,
            "parameters": parameters,
        }
        form = {"schema": "json", "param": json.dumps(param, ensure_ascii=False, separators=(",", ":"))}
        try:
            response = self.session.post(
                settings.KUAIDI100_POLL_URL, data=form, timeout=settings.KUAIDI100_HTTP_TIMEOUT
            )
        except requests.RequestException as exc:
            raise TrackingError(f"Kuaidi100 unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise TrackingError(f"Kuaidi100 answered {response.status_code}", code=str(response.status_code))
        try:
            answer = response.json()
        except ValueError as exc:
            raise TrackingError("Kuaidi100 answered something that is not JSON") from exc
        code = str(answer.get("returnCode", ""))
        if code not in ACCEPTED_CODES:
            raise SubscriptionRefused(str(answer.get("message") or "refused"), code=code)
