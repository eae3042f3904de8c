"""Couriers by the code a parcel is tracked under (Kuaidi100's `com`: "shunfeng"), named in the reader's language.

The code is what the tracking provider and the order systems speak; agents and managers read the courier's name.
A code not listed here is shown as it is: the provider knows hundreds of couriers, a store uses a few.
"""

from django.utils.translation import gettext_lazy as _

NAMES = {
    "shunfeng": _("SF Express"),
    "jd": _("JD Logistics"),
    "zhongtong": _("ZTO Express"),
    "yuantong": _("YTO Express"),
    "shentong": _("STO Express"),
    "yunda": _("Yunda Express"),
    "jtexpress": _("J&T Express"),
    "ems": _("EMS"),
    "youzhengguonei": _("China Post"),
    "debangkuaidi": _("Deppon Express"),
}


def courier_name(code: str) -> str:
    return str(NAMES.get(code, code))
