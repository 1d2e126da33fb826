"""Addresses of the downloads: list exports (with the list page's query string) and
per-record exports. The format is the file extension, so a saved file names itself."""

from django.urls import re_path

from . import exports

app_name = "exports"

LIST_FORMATS = r"(?P<fmt>csv|json|bib|ris|csl\.json)"
DATA_FORMATS = r"(?P<fmt>csv|json)"
CITE_FORMATS = r"(?P<fmt>bib|ris|csl\.json)"
SLUG = r"(?P<slug>[-a-zA-Z0-9_]+)"

urlpatterns = [
    re_path(rf"^treaties\.{LIST_FORMATS}$", exports.treaty_list_export, name="treaty-list"),
    re_path(rf"^protocols\.{DATA_FORMATS}$", exports.protocol_list_export, name="protocol-list"),
    re_path(rf"^parties\.{DATA_FORMATS}$", exports.state_list_export, name="state-list"),
    re_path(rf"^sources\.{LIST_FORMATS}$", exports.source_list_export, name="source-list"),
    re_path(rf"^treaties/{SLUG}\.(?P<fmt>json|jsonld|bib|ris|csl\.json)$", exports.treaty_export, name="treaty"),
    re_path(rf"^protocols/{SLUG}\.{CITE_FORMATS}$", exports.protocol_export, name="protocol"),
    re_path(rf"^sources/{SLUG}\.(?P<fmt>json|bib|ris|csl\.json)$", exports.source_export, name="source"),
]
