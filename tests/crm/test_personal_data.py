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


# -- what the order systems and providers send under keys nobody listed (ADR 0041) -----------------------------------


def test_an_order_row_s_keys_nobody_listed_are_masked_and_the_api_s_own_shown_as_they_came():
    # An order system passes its own columns on beside ours: a contact, a second number, the address, a memo.
    row = {
        "external_id": "T20261201001", "store": "acme", "currency": "CNY", "total_amount": "1999.00",
        "placed_at": "2026-12-01T10:00:00+08:00", "courier": "shunfeng", "tracking_number": "SF1234567890123",
        "customer": {"external_id": "c1", "name": "欧阳小明", "phone": "13912345678", "region": "浙江杭州"},
        "items": [{"sku": "S1", "name": "羊绒围巾", "quantity": 1, "unit_price": "899.00", "category": "围巾"}],
        "联系人": "王大锤", "mobile": "139 1234 5679", "收货地址": "杭州市西湖区文三路 88 号 3 单元",
        "buyer_memo": "放门卫，找王大锤", "extra": {"consignee_info": "王大锤 13912345679 文三路88号", "qq": 987654321},
    }  # fmt: skip

    masked = mask_payload(row)

    assert {key: masked[key] for key in ("external_id", "store", "currency", "total_amount", "placed_at", "courier",
                                         "tracking_number", "items")} == {
        key: row[key] for key in ("external_id", "store", "currency", "total_amount", "placed_at", "courier",
                                  "tracking_number", "items")
    }  # fmt: skip
    assert masked["customer"] == {"external_id": "c1", "name": "欧***", "phone": "139****5678", "region": "浙江杭州"}
    assert masked["联系人"] == "王**" and masked["mobile"] == "139****5679"
    shown = json.dumps(masked, ensure_ascii=False)
    for whole in ("王大锤", "文三路", "88", "门卫", "987654321", "13912345679"):
        assert whole not in shown, whole


def test_a_twilio_webhook_s_caller_name_and_place_are_masked_and_its_ids_and_states_shown():
    payload = {
        "AccountSid": "AC1", "MessageSid": "SM1", "SmsSid": "SM1", "SmsMessageSid": "SM1", "SmsStatus": "received",
        "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01", "From": "+8613912345678",
        "To": "+8657188886666", "FromCity": "杭州", "FromState": "浙江", "FromZip": "310012", "FromCountry": "CN",
        "CallerName": "OUYANG XIAOMING", "Body": "快递放到文三路 88 号 3 单元了吗", "_row": "followups:7",
    }  # fmt: skip

    masked = mask_payload(payload)

    for key in ("AccountSid", "MessageSid", "SmsStatus", "NumMedia", "NumSegments", "ApiVersion", "_row"):
        assert masked[key] == payload[key], key
    assert masked["From"] == "139****5678"
    assert masked["Body"].startswith("快") and "文三路" not in masked["Body"] and "88" not in masked["Body"]
    for key in ("FromCity", "FromZip", "CallerName"):
        assert masked[key] != payload[key] and masked[key][1:] == "*" * (len(payload[key]) - 1), key


def test_a_courier_s_checkpoint_masks_who_signed_and_where_it_was_left_not_the_courier_s_network():
    text = "【杭州市】快件已签收，签收人：王大锤，放在文三路 88 号 3 单元门口，如有疑问请联系 13812345678"

    masked = mask_text(text)

    assert masked.startswith("【杭州市】快件已签收，签收人：王**，")
    assert "王大锤" not in masked and "文三路" not in masked and "13812345678" not in masked
    assert mask_text("【杭州转运中心】快件已发往杭州西湖区营业部") == "【杭州转运中心】快件已发往杭州西湖区营业部"
    # A name found after a label is masked wherever else the payload writes it.
    push = {"context": "签收人是：王大锤", "remark": "王大锤代收"}
    assert mask_payload(push) == {"context": "签收人是：王**", "remark": "王**代收"}
