"""The API's JSON parser: malformed or absurdly nested bodies are a 400, never a server error."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

# Deeper than any request body of this API needs (the deepest is an object of answers).
MAX_DEPTH = 20


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Does ``value`` nest lists/objects more than ``limit`` levels? Iterative: no recursion to overflow."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
        if too_deep(data):
            raise ParseError(_("The JSON is nested too deeply."))
        return data


PARSER_CLASSES = [BoundedJSONParser, FormParser, MultiPartParser]
