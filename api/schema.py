"""OpenAPI details drf-spectacular cannot infer: the bearer token and the problem details of every error."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details, in the language of Accept-Language (vi or en).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "description": "Messages by field; non_field_errors for the others."},
    },
    "required": ["type", "title", "status", "detail"],
}
ERRORS = {
    "400": "The request is not valid.",
    "401": "No credentials, or a token unknown, expired or revoked.",
    "403": "Not allowed: the token's scopes, the caller's role, separation of duties, or an auditor writing.",
    "404": "Not found, or outside the caller's scope.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "The state does not allow it, or the same Idempotency-Key was used for another request.",
    "412": "If-Match does not match the current ETag.",
    "413": "Request too large.",
    "415": "Unsupported media type.",
    "428": "If-Match is required.",
    "429": "Too many requests for this token, or from this address for the verification (see Retry-After).",
}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "serviceAccountToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A service account's token, mf_<prefix>_<secret>, issued by an administrator.",
        }


def add_problem_responses(result, generator, request, public):
    """Postprocessing hook: every operation may answer any of ``ERRORS`` with a problem document."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {"description": description, "content": content})
    return result
