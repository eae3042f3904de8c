"""Request and response shapes for the OpenAPI schema, and the output of the read endpoints.

The write endpoints validate with crm/api/rows.py (fast); these input serializers describe the same rules
for the schema. Keep the two in step: tests/crm/api/test_schema.py posts schema-generated bodies.
"""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from crm.api.order_fields import order_fields
from crm.api.sections import order_sections
from crm.models import Customer, Order

MAX_ORDER_AMOUNT = "10000000.00"
# The strings crm.api.rows accepts as an amount up to MAX_ORDER_AMOUNT: up to seven whole digits with at most two
# decimals, or 10000000 itself. [0-9], not \d: to a Python validator \d is any script's digit, which the API refuses.
AMOUNT_PATTERN = r"^([0-9]{1,7}(\.[0-9]{1,2})?|10000000(\.00?)?)$"


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "pattern": AMOUNT_PATTERN},
            {"type": "number", "minimum": 0, "maximum": float(MAX_ORDER_AMOUNT)},
        ],
        "description": f"A decimal string (ASCII digits, an optional point) or a number, 0 to {MAX_ORDER_AMOUNT}, "
        "at most two decimals.",
    }
)
class AmountField(serializers.Field):
    pass


class RowErrorOut(serializers.Serializer):
    index = serializers.IntegerField(
        required=False,
        help_text="Position of the row in the batch (0 for a single object); absent for query parameters.",
    )
    field = serializers.CharField(help_text="Dotted path of the field, e.g. customer.phone; empty for the row.")
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorOut(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found, idempotency_key_reused.")
    message = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = RowErrorOut(many=True, required=False, help_text="Every bad row of a rejected batch.")


class CustomerIn(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=32, help_text="Any format phonenumbers reads; stored as E.164.")
    gender = serializers.ChoiceField(choices=Customer.Gender.choices, required=False)
    birthday = serializers.DateField(
        required=False, help_text="From 1900-01-01 to the store's today in its own time zone (else out_of_range)."
    )
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=Customer.Language.choices,
        required=False,
        allow_blank=True,
        help_text="The language texts to the customer are written in; absent or blank keeps the stored one "
        "(a new customer's blank is the store's SMS language).",
    )


class ItemIn(serializers.Serializer):
    sku = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=1, max_value=100000)
    unit_price = AmountField()
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)


class OrderIn(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    store = serializers.SlugField(
        required=False, help_text="The store's code; required only when the token covers several stores."
    )
    customer = CustomerIn()
    total_amount = AmountField()
    currency = serializers.RegexField(
        r"^[A-Z]{3}$",
        required=False,
        help_text="An active ISO 4217 code, e.g. CNY or EUR (three capital letters that name no currency, such as "
        "XYZ, are refused with invalid_currency); without it, the store's currency.",
    )
    items = ItemIn(many=True, allow_empty=False, max_length=500)
    placed_at = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset.")
    shipped_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="ISO 8601 with a UTC offset; not before placed_at, not in the future.",
    )
    courier = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    tracking_number = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    coupon_code = serializers.CharField(
        max_length=40, required=False, allow_blank=True, allow_null=True, help_text="A coupon code used on the order."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for extra in order_fields():  # what other apps read from an order row (crm.api.order_fields)
            fields[extra.name] = extra.schema()
        return fields


class OrderResultOut(serializers.Serializer):
    external_id = serializers.CharField()
    store = serializers.CharField()
    id = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["created", "updated"])


class OrderResultsOut(serializers.Serializer):
    results = OrderResultOut(many=True)


class DeliveryIn(serializers.Serializer):
    order = serializers.CharField(max_length=100, help_text="The order's external_id.")
    store = serializers.SlugField(required=False, help_text="Required only when the token covers several stores.")
    delivered_at = serializers.DateTimeField(help_text="When it was signed for; ISO 8601 with a UTC offset.")


class WarningOut(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class DeliveryResultOut(serializers.Serializer):
    order = serializers.CharField()
    store = serializers.CharField()
    id = serializers.IntegerField()
    result = serializers.ChoiceField(
        choices=["delivered", "already_delivered"], help_text="already_delivered: a repeat changed nothing."
    )
    delivered_at = serializers.DateTimeField()
    warnings = WarningOut(
        many=True,
        required=False,
        help_text="Present only when there is something to say, e.g. unknown_currency: the store cannot convert "
        "the order's currency, so no follow-up was planned.",
    )


class DeliveryResultsOut(serializers.Serializer):
    results = DeliveryResultOut(many=True)


def one_or_many(name: str, serializer: type[serializers.Serializer]) -> PolymorphicProxySerializer:
    """The request body of a batch endpoint: one object, or an array of 1 to 1,000."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer(), serializer(many=True, min_length=1, max_length=1000)],
        resource_type_field_name=None,
        many=False,
    )


class CustomerOut(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["external_id", "name", "phone", "gender", "birthday", "region", "language"]


class DeliveryOut(serializers.Serializer):
    delivered_at = serializers.DateTimeField()


class OrderOut(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    customer = CustomerOut()
    total_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    items = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "external_id",
            "store",
            "status",
            "customer",
            "total_amount",
            "currency",
            "items",
            "placed_at",
            "shipped_at",
            "courier",
            "tracking_number",
            "coupon_code",
            "delivery",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ItemIn(many=True))
    def get_items(self, order: Order) -> list:
        return order.items

    @extend_schema_field(DeliveryOut(allow_null=True))
    def get_delivery(self, order: Order) -> dict | None:
        if order.delivered_at is None:
            return None
        return DeliveryOut({"delivered_at": order.delivered_at}).data


class OrderDetailOut(OrderOut):
    """One order as OrderOut, plus the sections other apps registered (crm.api.sections), e.g. follow-ups."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for section in order_sections():
            fields[section.name] = section.field()
        return fields
