from django import template

from logistics.couriers import courier_name

register = template.Library()

register.filter("courier_name", courier_name)
