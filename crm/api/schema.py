"""Teaches drf-spectacular how our token authentication looks in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class StoreTokenScheme(OpenApiAuthenticationExtension):
    target_class = "crm.api.auth.StoreTokenAuthentication"
    name = "storeToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A store token, sent as "Token <key>". Create one with `manage.py create_api_token`.',
        }
