"""OpenAPI descriptions the generator cannot infer: the treaty filters and EDTF dates.

The treaty filters are not model-field filters (they take slugs and codes and
check them in one query), so drf-spectacular's django-filter introspection
cannot type them; the parameters are described here from the FilterSet itself.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter

from ..filters import TreatyFilterSet, ValueListFilter


class TreatyFilterBackend(DjangoFilterBackend):
    """django-filter's backend (bad input raises a 400 with the form errors), described for OpenAPI below."""


class TreatyFilterParameters(OpenApiFilterExtension):
    target_class = "catalogue.api.schema.TreatyFilterBackend"
    priority = 1  # before drf-spectacular's own django-filter extension

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = []
        for name, filter_ in TreatyFilterSet.base_filters.items():
            label = str(filter_.label or name)
            description = f"{label[:1].upper()}{label[1:]}."
            help_text = filter_.extra.get("help_text")
            if help_text:
                description = f"{description} {help_text}"
            if isinstance(filter_, ValueListFilter):
                schema = {"type": "array", "items": {"type": "string"}}
                description += " Repeat the parameter to choose several values (any of them matches)."
                explode = True
            else:
                schema = {"type": "string"}
                explode = None
            choices = filter_.extra.get("choices")
            parameters.append(
                build_parameter_type(
                    name=name,
                    schema=schema,
                    location=OpenApiParameter.QUERY,
                    description=description,
                    enum=[key for key, _label in choices] if choices else None,
                    explode=explode,
                )
            )
        return parameters
