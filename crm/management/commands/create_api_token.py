from django.core.management.base import BaseCommand, CommandError

from crm.errors import DomainError
from crm.services.api_tokens import api_token_create


class Command(BaseCommand):
    help = "Create an API token for an order system. The key is printed once, as the last line."

    def add_arguments(self, parser):
        parser.add_argument("store_codes", nargs="+", metavar="STORE_CODE", help="One store, or several for a set.")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'Tmall connector'.")

    def handle(self, *args, store_codes: list[str], name: str, **options):
        try:
            token, key = api_token_create(store_codes=store_codes, name=name or ", ".join(store_codes))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Created token {token.pk} '{token.name}' for {', '.join(store_codes)}.")
        self.stdout.write("Store the key now: it is shown only this once, and only its hash is kept.")
        self.stdout.write(key)
