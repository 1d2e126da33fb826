"""The OAI-PMH 2.0 endpoint: six verbs, the protocol's errors, stateless resumption tokens.

Resumption tokens are signed (``django.core.signing``) and carry the whole state
of a list request (its arguments and the last primary key sent), so no session
is kept on the server; they expire after ``OAI_TOKEN_MAX_AGE`` seconds. Lists are
paged by primary key, so a harvest that follows the tokens gets every record
exactly once even when records change meanwhile.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from .. import cite
from . import metadata, repository

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
TOKEN_SALT = "catalogue.oai.resumption"

LIST_ARGS = (("metadataPrefix",), ("from", "until", "set"))
# verb: (required arguments, optional arguments, exclusive argument)
VERBS = {
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "ListIdentifiers": (*LIST_ARGS, "resumptionToken"),
    "ListRecords": (*LIST_ARGS, "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
}

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def q(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


def sub(parent, name: str, text: str | None = None, **attrib):
    element = etree.SubElement(parent, q(name), **attrib)
    if text is not None:
        element.text = text
    return element


def base_url() -> str:
    return settings.SITE_BASE_URL + reverse("oai:endpoint")


# --------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------


# Characters XML 1.0 cannot hold (a request echo must be well-formed XML).
NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def parse_arguments(params) -> tuple[str, dict[str, str]]:
    for key in params:
        if NOT_XML.search(key) or any(NOT_XML.search(value) for value in params.getlist(key)):
            raise OAIError("badArgument", "The request holds characters that XML cannot carry (e.g. NUL).")
    verbs = params.getlist("verb")
    if not verbs:
        raise OAIError("badVerb", "The request has no verb.")
    if len(verbs) > 1:
        raise OAIError("badVerb", "The verb argument is repeated.")
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", f"“{verb}” is not an OAI-PMH verb.")
    required, optional, exclusive = VERBS[verb]
    allowed = set(required) | set(optional) | ({exclusive} if exclusive else set())
    args: dict[str, str] = {}
    for key in params:
        if key == "verb":
            continue
        values = params.getlist(key)
        if key not in allowed:
            raise OAIError("badArgument", f"“{key}” is not an argument of {verb}.")
        if len(values) > 1:
            raise OAIError("badArgument", f"The argument “{key}” is repeated.")
        args[key] = values[0]
    if exclusive and exclusive in args:
        if len(args) > 1:
            raise OAIError("badArgument", f"{exclusive} is an exclusive argument: give it alone with the verb.")
        return verb, args
    missing = [name for name in required if not args.get(name)]
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument(s): {', '.join(missing)}.")
    return verb, args


@dataclass
class DateRange:
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None  # exclusive


def parse_dates(from_: str | None, until: str | None) -> DateRange:
    """``from`` and ``until`` in either granularity (both the same), inclusive."""
    kinds = []
    bounds = DateRange()
    for name, value in (("from", from_), ("until", until)):
        if value is None:
            continue
        if DAY.match(value):
            fmt, kind = "%Y-%m-%d", "day"
        elif SECONDS.match(value):
            fmt, kind = "%Y-%m-%dT%H:%M:%SZ", "seconds"
        else:
            raise OAIError("badArgument", f"{name}: “{value}” is not a UTC date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).")
        try:
            moment = datetime.datetime.strptime(value, fmt).replace(tzinfo=datetime.UTC)
        except ValueError:
            raise OAIError("badArgument", f"{name}: “{value}” is not a date that exists.") from None
        kinds.append(kind)
        if name == "from":
            bounds.start = moment
        else:
            step = datetime.timedelta(days=1) if kind == "day" else datetime.timedelta(seconds=1)
            bounds.end = moment + step
    if len(set(kinds)) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if bounds.start and bounds.end and bounds.start >= bounds.end:
        raise OAIError("badArgument", "from is later than until.")
    return bounds


# --------------------------------------------------------------------------
# Resumption tokens
# --------------------------------------------------------------------------


def make_token(state: dict) -> str:
    return signing.dumps(state, salt=TOKEN_SALT, compress=True)


def read_token(token: str, verb: str) -> dict:
    try:
        state = signing.loads(token, salt=TOKEN_SALT, max_age=repository.token_max_age())
    except signing.SignatureExpired:
        raise OAIError("badResumptionToken", "The resumption token has expired; start the list again.") from None
    except signing.BadSignature:
        raise OAIError("badResumptionToken", "The resumption token is not valid.") from None
    if not isinstance(state, dict) or state.get("verb") != verb:
        raise OAIError("badResumptionToken", f"The resumption token is not one of {verb}.")
    return state


def add_token(parent, state: dict | None, *, cursor: int, total: int, resumed: bool) -> None:
    """A token for the next page; an empty one ends a resumed list; none for a complete one."""
    if state is None and not resumed:
        return
    attrib = {"completeListSize": str(total), "cursor": str(cursor)}
    if state is None:
        sub(parent, "resumptionToken", None, **attrib)
        return
    expires = timezone.now() + datetime.timedelta(seconds=repository.token_max_age())
    attrib["expirationDate"] = repository.datestamp(expires)
    sub(parent, "resumptionToken", make_token(state), **attrib)


# --------------------------------------------------------------------------
# Verbs
# --------------------------------------------------------------------------


def identify(root, args):
    element = sub(root, "Identify")
    sub(element, "repositoryName", cite.site_name())
    sub(element, "baseURL", base_url())
    sub(element, "protocolVersion", "2.0")
    for email in repository.admin_emails():
        sub(element, "adminEmail", email)
    sub(element, "earliestDatestamp", repository.datestamp(repository.earliest_datestamp()))
    sub(element, "deletedRecord", "transient")
    sub(element, "granularity", "YYYY-MM-DDThh:mm:ssZ")
    description = sub(element, "description")
    ident = etree.SubElement(description, f"{{{ID_NS}}}oai-identifier", nsmap={None: ID_NS, "xsi": XSI_NS})
    ident.set(f"{{{XSI_NS}}}schemaLocation", f"{ID_NS} {ID_SCHEMA}")
    namespace = repository.repository_identifier()
    for name, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", namespace),
        ("delimiter", ":"),
        ("sampleIdentifier", f"oai:{namespace}:treaty/treaty-of-berlin-1926"),
    ):
        etree.SubElement(ident, f"{{{ID_NS}}}{name}").text = text


def _treaty(identifier: str):
    slug = repository.slug_from_identifier(identifier)
    treaty = None
    if slug:
        treaty = repository.for_records(repository.items()).filter(slug=slug).first()
    if treaty is None:
        raise OAIError("idDoesNotExist", f"“{identifier}” is not an identifier in this repository.")
    return treaty


def list_metadata_formats(root, args):
    if "identifier" in args:
        _treaty(args["identifier"])
    element = sub(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in metadata.FORMATS.items():
        fmt = sub(element, "metadataFormat")
        sub(fmt, "metadataPrefix", prefix)
        sub(fmt, "schema", schema)
        sub(fmt, "metadataNamespace", namespace)


def _check_format(prefix: str) -> None:
    if prefix not in metadata.FORMATS:
        raise OAIError(
            "cannotDisseminateFormat",
            f"“{prefix}” is not a metadata format of this repository; use one of: {', '.join(metadata.FORMATS)}.",
        )


def _header(parent, treaty):
    attrib = {"status": "deleted"} if treaty.status in repository.DELETED else {}
    header = sub(parent, "header", None, **attrib)
    sub(header, "identifier", repository.oai_identifier(treaty))
    sub(header, "datestamp", repository.datestamp(treaty.updated))
    for spec in repository.set_specs(treaty):
        sub(header, "setSpec", spec)
    return header


def _record(parent, treaty, prefix: str):
    record = sub(parent, "record")
    _header(record, treaty)
    if treaty.status not in repository.DELETED:
        sub(record, "metadata").append(metadata.BUILDERS[prefix](treaty))


def get_record(root, args):
    treaty = _treaty(args["identifier"])
    _check_format(args["metadataPrefix"])
    _record(sub(root, "GetRecord"), treaty, args["metadataPrefix"])


def list_items(root, args, verb: str):
    resumed = "resumptionToken" in args
    if resumed:
        state = read_token(args["resumptionToken"], verb)
    else:
        state = {
            "verb": verb,
            "prefix": args["metadataPrefix"],
            "set": args.get("set"),
            "from": args.get("from"),
            "until": args.get("until"),
            "after": 0,
            "cursor": 0,
            "total": None,
        }
    _check_format(state["prefix"])
    dates = parse_dates(state["from"], state["until"])
    queryset = repository.items()
    if state["set"]:
        queryset = repository.in_set(queryset, state["set"])
        if queryset is None:
            raise OAIError("noRecordsMatch", f"There is no set “{state['set']}”.")
    if dates.start:
        queryset = queryset.filter(updated__gte=dates.start)
    if dates.end:
        queryset = queryset.filter(updated__lt=dates.end)
    total = state["total"] if state["total"] is not None else queryset.count()
    if total == 0:
        raise OAIError("noRecordsMatch", "No records match the request.")
    size = repository.page_size()
    shape = repository.for_records if verb == "ListRecords" else repository.for_headers
    page = list(shape(queryset.filter(pk__gt=state["after"]))[: size + 1])
    if not page and not resumed:
        raise OAIError("noRecordsMatch", "No records match the request.")
    more = len(page) > size
    page = page[:size]
    element = sub(root, verb)
    for treaty in page:
        if verb == "ListRecords":
            _record(element, treaty, state["prefix"])
        else:
            _header(element, treaty)
    following = None
    if more:
        following = {**state, "after": page[-1].pk, "cursor": state["cursor"] + len(page), "total": total}
    add_token(element, following, cursor=state["cursor"], total=total, resumed=resumed)


def list_sets(root, args):
    resumed = "resumptionToken" in args
    state = read_token(args["resumptionToken"], "ListSets") if resumed else {"verb": "ListSets", "cursor": 0}
    sets = repository.all_sets()
    size = repository.page_size()
    start = state["cursor"]
    element = sub(root, "ListSets")
    for spec, name in sets[start : start + size]:
        entry = sub(element, "set")
        sub(entry, "setSpec", spec)
        sub(entry, "setName", name)
    following = {"verb": "ListSets", "cursor": start + size} if start + size < len(sets) else None
    add_token(element, following, cursor=start, total=len(sets), resumed=resumed)


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": lambda root, args: list_items(root, args, "ListIdentifiers"),
    "ListRecords": lambda root, args: list_items(root, args, "ListRecords"),
    "GetRecord": get_record,
}


# --------------------------------------------------------------------------
# The endpoint
# --------------------------------------------------------------------------


def envelope() -> etree._Element:
    root = etree.Element(q("OAI-PMH"), nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    sub(root, "responseDate", repository.datestamp(timezone.now()))
    return root


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    """One URL for every verb, by GET or by a urlencoded POST (both are in the protocol)."""
    params = request.POST if request.method == "POST" else request.GET
    root = envelope()
    echo = sub(root, "request", base_url())
    try:
        verb, args = parse_arguments(params)
        echo.set("verb", verb)
        for key, value in args.items():
            echo.set(key, value)
        HANDLERS[verb](root, args)
    except OAIError as error:
        # Drop a half-built verb element: an error response holds only errors.
        for child in list(root)[2:]:
            root.remove(child)
        sub(root, "error", error.message, code=error.code)
        if error.code in ("badVerb", "badArgument"):
            echo.attrib.clear()  # the protocol: echo only the base URL after these two
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
