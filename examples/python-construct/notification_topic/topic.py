"""What the `notification-topic` construct does, in plain Python.

An SNS topic, optionally FIFO, with email subscribers. This module knows nothing of
WebAssembly or of the plugin contract: props come in as parsed JSON, and problems and the
template fragment go out as plain values, so its tests run on any CPython 3.9 or newer.
`app.py` adapts it to the contract.

Local ids: `Resource` (the topic, so it gets the construct's own logical id) and
`Subscription0`, `Subscription1`, ... (one per subscriber, in the order written).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

NAME = "notification-topic"
VERSION = "0.1.0"
DESCRIPTION = "an SNS topic, optionally FIFO, with email subscribers"

# The topic's local id. `Resource` is left out of the logical id, so the topic of construct
# `Alerts` is `Alerts`.
TOPIC = "Resource"

# CloudFormation's limit on a topic's DisplayName.
MAX_DISPLAY_NAME = 100

# Enough to catch typos; SNS mails every address a link to confirm the subscription anyway.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")

ERROR = "error"
WARNING = "warning"


class Attribute(NamedTuple):
    name: str
    doc: str
    value: dict[str, Any]  # a CloudFormation expression over this construct's local ids


# The first is what a bare `${Alerts}` means in a stack file.
ATTRIBUTES = (
    Attribute("arn", "the topic's ARN", {"Ref": TOPIC}),
    Attribute("name", "the topic's name", {"Fn::GetAtt": [TOPIC, "TopicName"]}),
)


class Finding(NamedTuple):
    severity: str  # ERROR or WARNING
    path: str | None  # a JSON Pointer into the props, or None for the props as a whole
    message: str  # lowercase, no full stop, says what to write instead


# Every prop that may hold a reference accepts a string: the host checks props against
# this schema before references are resolved, so `${AlertEmail}` is still a string here.
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": NAME,
    "description": DESCRIPTION,
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "displayName": {
            "description": "The topic's DisplayName, at most 100 characters: the sender "
            "name of its email notifications. May hold references.",
            "type": "string",
            "minLength": 1,
            "examples": ["Order alerts"],
        },
        "fifo": {
            "description": "Whether the topic is FIFO (FifoTopic). FIFO topics deliver only "
            "to SQS queues, so they take no email subscribers.",
            "type": "boolean",
            "default": False,
        },
        "subscribers": {
            "description": "Email addresses, or references such as ${AlertEmail}, that each "
            "get an email subscription. SNS mails each one a link to confirm it.",
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "examples": [["ops@example.com"]],
        },
    },
    "examples": [{"displayName": "Order alerts", "subscribers": ["ops@example.com"]}],
}


def pointer(*tokens: str | int) -> str:
    """The JSON Pointer (RFC 6901) to a prop: `pointer("subscribers", 1)` is `/subscribers/1`."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def check(props: dict[str, Any]) -> list[Finding]:
    """Every problem with props that passed the schema, errors and warnings, in prop order.

    A value that is not a plain string came from a reference (`{"Ref": "AlertEmail"}`) and
    is left to CloudFormation.
    """
    findings = []

    name = props.get("displayName")
    if isinstance(name, str) and len(name) > MAX_DISPLAY_NAME:
        findings.append(Finding(
            ERROR,
            pointer("displayName"),
            f"a display name is at most {MAX_DISPLAY_NAME} characters and this one has "
            f"{len(name)}; shorten it",
        ))

    subscribers = props.get("subscribers", [])
    if props.get("fifo") and subscribers:
        findings.append(Finding(
            ERROR,
            pointer("subscribers"),
            "a FIFO topic delivers only to SQS queues, so it cannot have email subscribers; "
            "remove `subscribers` or set `fifo: false`",
        ))
    elif subscribers and "displayName" not in props:
        findings.append(Finding(
            WARNING,
            pointer("subscribers"),
            "without `displayName` the notifications come from `AWS Notifications`; "
            "set `displayName` so subscribers can tell them apart",
        ))

    first_index = {}  # lowercased address -> index of its first appearance
    for index, address in enumerate(subscribers):
        if not isinstance(address, str):
            continue
        if not EMAIL.fullmatch(address):
            findings.append(Finding(
                ERROR,
                pointer("subscribers", index),
                f"`{address}` is not an email address; write one such as `ops@example.com`, "
                "or a reference such as `${AlertEmail}`",
            ))
        elif address.lower() in first_index:
            findings.append(Finding(
                ERROR,
                pointer("subscribers", index),
                f"`{address}` is already subscribed at index {first_index[address.lower()]}; "
                "remove one of them",
            ))
        else:
            first_index[address.lower()] = index
    return findings


def fragment(props: dict[str, Any]) -> dict[str, Any]:
    """The template fragment, keyed by local ids, for props `check` found no error in."""
    properties: dict[str, Any] = {}
    if "displayName" in props:
        properties["DisplayName"] = props["displayName"]
    if props.get("fifo"):
        # No TopicName: CloudFormation generates one with the `.fifo` suffix FIFO needs.
        properties["FifoTopic"] = True

    topic: dict[str, Any] = {"Type": "AWS::SNS::Topic"}
    if properties:
        topic["Properties"] = properties
    resources = {TOPIC: topic}

    for index, address in enumerate(props.get("subscribers", [])):
        resources[f"Subscription{index}"] = {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": TOPIC},
                "Protocol": "email",
                "Endpoint": address,
            },
        }
    return {"Resources": resources}
