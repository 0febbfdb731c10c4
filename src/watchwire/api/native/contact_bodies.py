"""The bodies `/v1/contacts` and `/v1/contact-groups` take, as models the OpenAPI description
is made of. A contact's create body is one model per contact type (delivery.channels'
NATIVE_TYPES: 003's eleven and watchwire's own), told apart by `type`, each stating what its channel's `normalize` accepts:
the form of `contact`, the `args` it takes and which of them it needs.

The patterns are the channels' rules where they have one (delivery/channels/*.py) and, for
the channels Apprise builds, a form Apprise accepts for that service. The channel stays the
rule: the face checks the body against these models and hands it on as it came, so a
channel that grows a rule the model lacks is a 400 schemathesis reports."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import pydantic
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from watchwire.api.native.openapi import RULES, beyond_schema, body, sid_of
from watchwire.delivery.channels import NATIVE_TYPES, ChannelContext, normalize_args
from watchwire.delivery.channels.datadog import SITES
from watchwire.errors import ValidationError
from watchwire.services.contacts import Schedule
from watchwire.text import SingleLine, matching

_REF = "#/components/schemas/{model}"
Pattern = str

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST = rf"{_LABEL}(\.{_LABEL})*\.[a-z]{{2,63}}"
_OCTET = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_PORT = r"(6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})"
_URL_TEXT = r"[A-Za-z0-9._~%!$&'()*+,;=:@/-]*"
# An http(s) URL whose host is a name or a canonical IPv4 address (others are refused).
HTTP_URL = (
    rf"^https?://({_HOST}|localhost|{_OCTET}(\.{_OCTET}){{3}})(:{_PORT})?"
    rf"(/{_URL_TEXT})?(\?{_URL_TEXT})?$"
)
_EMAIL = rf"^[A-Za-z0-9_+-]{{1,32}}(\.[A-Za-z0-9_+-]{{1,32}}){{0,3}}@{_HOST}$"
# A key or token as the services issue them (Apprise takes any run of non-blank characters).
_TOKEN = r"^[A-Za-z0-9_-]{1,128}$"
_AWS_REGION = r"^[a-z]{2}-[a-z]{2,12}-\d{1,2}$"
_AWS_KEY_ID = r"^[A-Z0-9]{16,128}$"
_AWS_SECRET = r"^[A-Za-z0-9/+=]{16,128}$"

ContactGroupSids = Annotated[
    list[Annotated[str, sid_of("contact_group")]],
    Field(
        max_length=50,
        description="Contact group SIDs (CG…) of the account",
        json_schema_extra=beyond_schema("not_found"),
    ),
]


def _text(pattern: Pattern, description: str = "") -> Any:
    """The field of a setting: `Annotated[SingleLine, _text(pattern)]`."""
    return matching(pattern, max_length=1024, description=description)


def _marked(pattern: Pattern, description: str, *rules: str) -> Any:
    """`_text` of a setting the channel checks beyond its pattern, with those `rules`
    (api/native/openapi.py RULES)."""
    inner = _text(pattern, description).json_schema_extra

    def schema_of(schema: dict[str, Any]) -> None:
        inner(schema)
        schema[RULES] = list(rules)

    return Field(
        pattern=pattern, max_length=1024, description=description, json_schema_extra=schema_of
    )


def _policed(pattern: Pattern, description: str) -> Any:
    """A URL whose host the channel puts to the target policy: a 400 `allowed` beyond the
    pattern, as the description states."""
    return _marked(pattern, description, "allowed")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Body):
    """This type takes no settings."""


class PushoverArgs(_Body):
    token: Annotated[SingleLine, _text(_TOKEN, "The application's API token")]
    device: Annotated[SingleLine, _text(r"^[A-Za-z0-9_-]{1,25}$", "Only this device")] | None = None


class PagerDutyArgs(_Body):
    api_key: Annotated[SingleLine, _text(_TOKEN, "The REST API key")]
    region: Literal["us", "eu"] = "us"


class TelegramArgs(_Body):
    bot_token: Annotated[
        SingleLine, _text(r"^(bot)?[0-9]{1,20}:[A-Za-z0-9_-]{1,200}$", "The bot's token")
    ]


class DatadogArgs(_Body):
    api_key: Annotated[SingleLine, _text(r"\S", "Default: the contact value")] | None = None
    site: Annotated[str, Field(json_schema_extra={"enum": sorted(SITES)})] = "datadoghq.com"
    tags: list[Annotated[SingleLine, Field(max_length=200)]] = Field(
        default_factory=list, max_length=50
    )


class EndpointArgs(_Body):
    url: Annotated[SingleLine, _text(HTTP_URL, "Default: the contact value")] | None = None


class SnsArgs(_Body):
    access_key_id: Annotated[SingleLine, _text(_AWS_KEY_ID)]
    secret_access_key: Annotated[SingleLine, _text(_AWS_SECRET)]
    region: Annotated[SingleLine, _text(_AWS_REGION)]


class CloudWatchArgs(SnsArgs):
    log_group: Annotated[SingleLine, _text(r"^[A-Za-z0-9_\-/.#]{1,512}$")]
    log_stream: Annotated[SingleLine, _text(r"^[A-Za-z0-9_\-/.#]{1,512}$")]
    endpoint: (
        Annotated[SingleLine, _text(HTTP_URL, "Default: the region's CloudWatch Logs")] | None
    ) = None


class NtfyArgs(_Body):
    token: Annotated[SingleLine, _text(r"^\S{1,256}$", "An access token (tk_…)")] | None = None
    username: Annotated[SingleLine, _text(r"^[^\s:]{1,128}$")] | None = None
    password: (
        Annotated[SingleLine, _marked(r"^\S{1,256}$", "Needs username", "required")] | None
    ) = None


class GotifyArgs(_Body):
    token: Annotated[SingleLine, _text(r"^\S{1,256}$", "The application's token")]


class MattermostArgs(_Body):
    channel: (
        Annotated[SingleLine, _text(r"^[a-z0-9_-]{1,64}$", "Default: the webhook's channel")] | None
    ) = None


class MatrixArgs(_Body):
    homeserver: Annotated[
        SingleLine,
        _policed(
            HTTP_URL.replace(rf"(/{_URL_TEXT})?(\?{_URL_TEXT})?$", "/?$"),
            "The homeserver's client-server API URL (https://matrix.example.org); its host "
            "must pass the server's target policy",
        ),
    ]
    access_token: Annotated[SingleLine, _text(r"^\S{1,512}$", "The sending account's token")]


class OpsgenieArgs(_Body):
    region: Literal["us", "eu"] = "us"


# A URL of a service on the user's host, which must pass the server's target policy.
_POLICY = ". Its host must pass the server's target policy: a refused address is a 400 `allowed`"
_NTFY_URL = HTTP_URL.replace(rf"(/{_URL_TEXT})?(\?{_URL_TEXT})?$", "/[A-Za-z0-9_-]{1,64}$")
_MATTERMOST_URL = HTTP_URL.replace(
    rf"(/{_URL_TEXT})?(\?{_URL_TEXT})?$", r"(/[A-Za-z0-9._~-]+)*/hooks/[A-Za-z0-9]{1,64}/?$"
)
_QUERY_PART = r"[A-Za-z0-9._~%=+-]*"
_WORKFLOW_URL = HTTP_URL.replace("^https?://", "^https://").replace(
    rf"(/{_URL_TEXT})?(\?{_URL_TEXT})?$",
    r"(/powerautomate/automations/direct(/cu/[0-9]+)?)?/workflows/[A-Za-z0-9_-]+"
    rf"/triggers/manual/paths/invoke/?\?({_QUERY_PART}&)*sig=[A-Za-z0-9_-]+(&{_QUERY_PART})*$",
)
_GOTIFY_URL = HTTP_URL.replace(rf"(\?{_URL_TEXT})?$", "$")

# Per contact type: what `contact` holds, its settings, and what the description says.
_TYPES: dict[str, tuple[Pattern, type[BaseModel], str]] = {
    "email": (_EMAIL, NoArgs, "An email address"),
    "sms": (
        r"^\+?[0-9]{7,15}$",
        NoArgs,
        "A phone number. Needs the server's SMS gateway (WATCHWIRE_SMS_APPRISE_URL): "
        "without one, 400 with rule `unsupported`",
    ),
    "pushover": (_TOKEN, PushoverArgs, "The Pushover user key"),
    "pagerduty": (_TOKEN, PagerDutyArgs, "The integration (routing) key"),
    "slack": (
        r"^https://hooks\.slack\.com/services/[A-Z0-9]{9,11}/[A-Z0-9]{9,11}/[A-Za-z0-9]{24}$",
        NoArgs,
        "The incoming-webhook URL",
    ),
    "datadog": (r"\S", DatadogArgs, "The API key (or a label with args.api_key)"),
    "discord": (
        r"^https://discord(app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68}$",
        NoArgs,
        "The webhook URL",
    ),
    "telegram": (r"^-?[0-9]{1,20}$", TelegramArgs, "The chat id"),
    "endpoint": (
        r"\S",
        EndpointArgs,
        "The URL that is sent a JSON summary, or a label when args.url is the URL",
    ),
    "aws-sns": (r"^[A-Za-z0-9_-]{1,256}$", SnsArgs, "The topic name"),
    "aws-cloudwatch": (
        r"^([A-Za-z0-9_\-/.#:]{1,1024})?$",
        CloudWatchArgs,
        "A label; default: log_group:log_stream",
    ),
    "ntfy": (_NTFY_URL, NtfyArgs, "The topic's URL (https://ntfy.example/alerts)" + _POLICY),
    "gotify": (_GOTIFY_URL, GotifyArgs, "The Gotify server's URL" + _POLICY),
    "mattermost": (
        _MATTERMOST_URL,
        MattermostArgs,
        "The incoming-webhook URL (https://chat.example/hooks/…)" + _POLICY,
    ),
    "matrix": (
        r"^[!#][^\s:/]+:[A-Za-z0-9.:\[\]-]+$",
        MatrixArgs,
        "The room: its id (!abc:example.org) or alias (#ops:example.org)",
    ),
    "teams": (
        _WORKFLOW_URL,
        NoArgs,
        "Microsoft Teams: the URL of a Power Automate workflow started by a webhook request "
        "(…/workflows/…/triggers/manual/paths/invoke?…&sig=…)" + _POLICY,
    ),
    "opsgenie": (r"^[A-Za-z0-9-]{1,128}$", OpsgenieArgs, "The API key of an API integration"),
    "apprise": (
        r"^[A-Za-z][A-Za-z0-9+.-]{1,31}://\S+$",
        NoArgs,
        "Any Apprise URL. Only where the operator allows it (WATCHWIRE_APPRISE_ANY_URL=true): "
        "otherwise 400 with rule `unsupported`",
    ),
}
if set(_TYPES) != set(NATIVE_TYPES):  # a channel added without its body would be a 400
    raise RuntimeError(f"contact bodies drifted from NATIVE_TYPES: {sorted(_TYPES)}")


class _ContactFields(_Body):
    name: SingleLine | None = Field(
        default=None, max_length=255, description="Default: the contact"
    )
    contact_groups: ContactGroupSids | None = Field(
        default=None, description="Omitted: the account's default group"
    )
    schedule: Schedule | None = Field(default=None, description="Deprecated in 003")


# The types whose `contact` is a URL on the user's host (delivery/channels/self_hosted.py).
_POLICED = frozenset({"ntfy", "gotify", "mattermost", "teams"})


def _contact_field(name: str, pattern: Pattern, what: str) -> Any:
    if name in _POLICED:
        return _policed(pattern, what)
    if name == "apprise":  # Apprise must know the URL's service: a 400 `format` otherwise
        return _marked(pattern, what, "format")
    return _text(pattern, what)


def _type_model(name: str) -> type[BaseModel]:
    contact, args, what = _TYPES[name]
    tag: Any = Literal[name]
    extra = _endpoint_needs_a_url if name == "endpoint" else None
    base: Any = type(
        f"_{name}Fields",
        (_ContactFields,),
        {"model_config": ConfigDict(extra="forbid", json_schema_extra=extra)},
    )
    model: type[BaseModel] = create_model(
        "".join(part.capitalize() for part in name.split("-")) + "ContactCreate",
        __base__=base,
        __doc__=f"A `{name}` contact: {what}.",
        type=(tag, Field(description="The contact type")),
        contact=(
            Annotated[SingleLine, _contact_field(name, contact, what)],
            ...,
        ),
        args=(args, Field(default_factory=dict, description=f"The {name} channel's settings")),
    )
    return model


def _endpoint_needs_a_url(schema: dict[str, Any]) -> None:
    """The endpoint channel's rule: the URL is args.url, or else the contact value."""
    schema["anyOf"] = [
        {"properties": {"args": {"required": ["url"]}}, "required": ["args"]},
        {"properties": {"contact": {"pattern": HTTP_URL}}},
    ]


_TYPE_MODELS: Any = Union[tuple(_type_model(name) for name in NATIVE_TYPES)]  # noqa: UP007
_DISCRIMINATED: Any = Annotated[_TYPE_MODELS, Field(discriminator="type")]
_CREATE: TypeAdapter[Any] = TypeAdapter(_DISCRIMINATED)


ArgName = Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")]
ArgValue = SingleLine | list[SingleLine]


class ContactChange(_Body):
    """The fields to change; the others stay. The type cannot change: `contact` and `args`
    follow the rules of the contact's type (its create body), a 400 otherwise."""

    contact: SingleLine | None = Field(default=None, max_length=1024)
    name: SingleLine | None = Field(default=None, max_length=255)
    args: dict[ArgName, ArgValue] | None = Field(
        default=None,
        max_length=20,
        description="The settings of the contact's type (its create body's `args`); "
        "credentials may be sent back masked, as shown",
    )
    contact_groups: ContactGroupSids | None = None
    schedule: Schedule | None = None


GroupName = Annotated[SingleLine, matching(r"\S", min_length=1, max_length=255)]
ContactSids = Annotated[
    list[Annotated[str, sid_of("contact")]],
    Field(
        max_length=1000,
        description="Contact SIDs (CO…) of the account",
        json_schema_extra=beyond_schema("not_found"),
    ),
]


class GroupCreate(_Body):
    name: GroupName
    is_default: bool = False
    contacts: ContactSids = Field(default_factory=list)


class GroupChange(_Body):
    name: GroupName | None = None
    is_default: bool | None = None
    contacts: ContactSids | None = None


_EXAMPLE = {"type": "email", "contact": "ops@example.com", "name": "On call"}
CREATE = body(_CREATE.json_schema(ref_template=_REF), _EXAMPLE)


# The channels' words for the rules the models state (delivery/channels/_base.py).
_RULES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "literal_error": "enum",
    "string_pattern_mismatch": "format",
}


def checked_create(given: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
    """The body, once it satisfies its type's model. A body the model refuses is put to the
    channel too, so where the channel refuses it as well its own error answers (its field,
    its words); otherwise the model's error names the field as the body does."""
    try:
        _CREATE.validate_python(given)
    except pydantic.ValidationError as exc:
        kind, contact, args = given.get("type"), given.get("contact"), given.get("args", {})
        if isinstance(kind, str) and isinstance(contact, str) and isinstance(args, dict):
            normalize_args(kind, contact, args, ctx)
        raise _named(exc) from None
    return given


def _named(exc: pydantic.ValidationError) -> ValidationError:
    errors = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
            rule = "missing" if err["type"] == "union_tag_not_found" else "literal_error"
            message = f"type must be one of {', '.join(NATIVE_TYPES)}"
            err = {**err, "loc": ("type",), "type": rule, "msg": message}
        elif loc and loc[0] in NATIVE_TYPES:
            err = {**err, "loc": loc[1:]}
        errors.append({**err, "type": _RULES.get(err["type"], err["type"])})
    return ValidationError.from_pydantic(errors)


def checked_shape(given: dict[str, Any]) -> dict[str, Any]:
    """The body against its type's model alone, without the channel (a file checked before
    anything is sent: `watchwire apply`); ValidationError naming the field."""
    try:
        _CREATE.validate_python(given)
    except pydantic.ValidationError as exc:
        raise _named(exc) from None
    return given


def create_adapter() -> TypeAdapter[Any]:
    """The create bodies' union, for a schema of a file made of them (`watchwire schema`)."""
    return _CREATE
