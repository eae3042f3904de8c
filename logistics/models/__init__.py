"""Shipments and their checkpoints, the delays found on them, the notices sent, and each store's rules."""

from .delay import DelayRule, ShipmentDelay
from .notice import NOTICE_TOLD, NoticeKind, NoticeStatus, ShipmentNotice
from .policy import LogisticsPolicy
from .provider_event import ProviderEvent
from .shipment import Checkpoint, Shipment, ShipmentState

__all__ = [
    "NOTICE_TOLD",
    "Checkpoint",
    "DelayRule",
    "LogisticsPolicy",
    "NoticeKind",
    "NoticeStatus",
    "ProviderEvent",
    "Shipment",
    "ShipmentDelay",
    "ShipmentNotice",
    "ShipmentState",
]
