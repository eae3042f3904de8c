"""The shipments API as documented in the OpenAPI schema (the rows themselves are read by logistics.api.rows)."""

from rest_framework import serializers


class ShipmentIn(serializers.Serializer):
    order = serializers.CharField(max_length=100, help_text="The order's external_id.")
    store = serializers.SlugField(required=False, help_text="Required only when the token covers several stores.")
    courier = serializers.CharField(max_length=100, help_text="The courier's Kuaidi100 code, e.g. shunfeng, yuantong.")
    tracking_number = serializers.CharField(max_length=100)
    shipped_at = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset.")
    promised_delivery_date = serializers.DateField(
        required=False, allow_null=True, help_text="The date promised to the customer, in the store's time zone."
    )


class ShipmentResultOut(serializers.Serializer):
    order = serializers.CharField()
    store = serializers.CharField()
    courier = serializers.CharField()
    tracking_number = serializers.CharField()
    id = serializers.IntegerField()
    result = serializers.ChoiceField(
        choices=["created", "updated", "unchanged"], help_text="unchanged: a repeat changed nothing."
    )
    state = serializers.CharField(help_text="The parcel's state as tracking last reported it.")


class ShipmentResultsOut(serializers.Serializer):
    results = ShipmentResultOut(many=True)
