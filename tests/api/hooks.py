"""Schemathesis hooks for the receiver's API, loaded through SCHEMATHESIS_HOOKS by
`cargo xtask test` (see xtask/src/api_fuzz.rs).

They supply what the OpenAPI document cannot: a relation between two parts of one request, and
the references of pledges that exist.
"""

import hashlib
import json
import urllib.parse
import uuid

import schemathesis
from schemathesis.core.parameters import ParameterLocation

SUBMIT = ("POST", "/v1/pledges")
RELEASE = ("POST", "/v1/pledges/{reference}/release")

# References the receiver has answered with, in the order it gave them.
stored_references = []


def _operation(case):
    return case.method.upper(), case.path


def _is_negative(case, location):
    meta = case.meta
    component = meta.components.get(location) if meta is not None else None
    return component is not None and component.mode.is_negative


def _key_for(pledge):
    """A version 4 UUID drawn from the pledge's content: a body sent again keeps its key and is
    answered as a replay, while two different bodies never share one. Generators repeat values,
    shrinking most of all, and a key reused for another pledge is rightly refused with a 422."""
    content = {name: value for name, value in pledge.items() if name != "idempotency_key"}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _honour_the_idempotency_key(case):
    """The contract requires the `Idempotency-Key` header to equal the body's `idempotency_key`.
    JSON Schema describes the header and the body apart and cannot relate them, so a generator
    left alone sends two unrelated keys, and the receiver rightly refuses the pair with a 422
    although each part is valid on its own."""
    if not isinstance(case.body, dict):
        return
    key = case.body.get("idempotency_key")
    if _is_negative(case, ParameterLocation.BODY):
        # The body was made invalid on purpose, perhaps in its key, which it keeps. The header
        # follows it, so that the receiver is asked about the body rather than about the pair.
        if isinstance(key, str):
            case.headers["Idempotency-Key"] = key
        return
    key = case.body["idempotency_key"] = _key_for(case.body)
    # A header made invalid on purpose, beside a valid body, stays as it is, so that the
    # receiver is asked to refuse the header.
    if not _is_negative(case, ParameterLocation.HEADER):
        case.headers["Idempotency-Key"] = key


def _a_page_url_python_can_read(case):
    """Schemathesis reads the addresses in every answer's body with Python's `urlsplit`, which
    raises on a bracketed host that is no IP address (a generator draws `http://[ĝØ]/` for
    `page_url`), and ends the run with an internal error once such a pledge is stored and
    listed. A browser never sends such an address, so a pledge meant to be stored keeps the
    drawn `page_url` only when Python can read it."""
    if not isinstance(case.body, dict) or _is_negative(case, ParameterLocation.BODY):
        return
    page_url = case.body.get("page_url")
    if not isinstance(page_url, str):
        return
    try:
        urllib.parse.urlsplit(page_url)
    except ValueError:
        case.body["page_url"] = "https://partner.example.org/give"


def _release_a_stored_pledge(case):
    """A reference drawn from the pattern almost never names a pledge, so the release would only
    ever be answered 404. A valid one is swapped for a reference the receiver gave out, in the
    case the generator drew, since lower case is accepted too."""
    drawn = case.path_parameters.get("reference")
    if not stored_references or not isinstance(drawn, str) or _is_negative(case, ParameterLocation.PATH):
        return
    digest = hashlib.sha256(drawn.encode()).digest()
    reference = stored_references[digest[0] % len(stored_references)]
    case.path_parameters["reference"] = reference.lower() if drawn[:1] == "s" else reference


@schemathesis.hook
def before_call(context, case, kwargs):
    if _operation(case) == SUBMIT:
        # First, since the key is drawn from the body's content.
        _a_page_url_python_can_read(case)
        _honour_the_idempotency_key(case)
    elif _operation(case) == RELEASE:
        _release_a_stored_pledge(case)


@schemathesis.hook
def after_call(context, case, response):
    if _operation(case) == SUBMIT and response.status_code == 201:
        try:
            reference = response.json().get("reference")
        except ValueError:
            return
        if isinstance(reference, str) and reference not in stored_references:
            stored_references.append(reference)
