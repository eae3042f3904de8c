"""Masking a customer's number and name inside what was kept as it came (crm.personal_data, ADR 0033)."""

import json

from crm.personal_data import mask_json_text, mask_payload, mask_text, names_in


def test_a_number_is_masked_however_it_is_written_and_wherever_it_is():
    for written in ("13912345678", "139 1234 5678", "+86-139-1234-5678", "8613912345678", "１３９１２３４５６７８"):
        assert mask_text(f"回电 {written} 谢谢") == "回电 139****5678 谢谢", written


def test_times_amounts_and_tracking_numbers_are_not_numbers():
    text = "2026-12-01T10:00:00+08:00 1999.00 SF1234567890123 T20261201123456"
    assert mask_text(text) == text


def test_a_payload_masks_the_person_and_keeps_the_products():
    row = {
        "external_id": "T1",
        "customer": {"name": "欧阳小明", "phone": 13912345678},
        "items": [{"name": "羊绒围巾", "unit_price": "899.00"}],
        "note": "请联系欧阳小明",
        "receiver_address": "文三路 88 号",
    }

    assert mask_payload(row) == {
        "external_id": "T1",
        "customer": {"name": "欧***", "phone": "139****5678"},
        "items": [{"name": "羊绒围巾", "unit_price": "899.00"}],
        "note": "请联系欧***",
        "receiver_address": "文*******",
    }
    assert names_in(row) == {"欧阳小明", "文三路 88 号"}


def test_json_text_keeps_its_keys_in_order_and_other_text_stays_text():
    text = json.dumps({"b": "x", "a": "139 1234 5678"}, ensure_ascii=False, separators=(",", ":"))
    assert mask_json_text(text) == '{"b":"x","a":"139****5678"}'
    assert mask_json_text("签收人：欧阳小明", names=["欧阳小明"]) == "签收人：欧***"
