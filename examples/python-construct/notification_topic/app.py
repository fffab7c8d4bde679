"""The `notification-topic` construct plugin: `topic` adapted to the Stackweave contract.

componentize-py builds this module into a component of the WIT world `construct-plugin`
and generates the `wit_world` and `componentize_py_types` modules it imports. The host
calls `Construct.describe` once when it loads the plugin, and `Construct.synth` once per
construct, each call in a fresh instance.
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports.types import (
    AttributeInfo,
    AttributeValue,
    ConstructInfo,
    Diagnostic,
    Fragment,
    Severity,
    SynthContext,
)

import topic

SEVERITY = {topic.ERROR: Severity.ERROR, topic.WARNING: Severity.WARNING}


def diagnostic(finding: topic.Finding) -> Diagnostic:
    return Diagnostic(SEVERITY[finding.severity], finding.message, finding.path)


class Construct(exports.Construct):
    def describe(self) -> ConstructInfo:
        return ConstructInfo(
            name=topic.NAME,
            version=topic.VERSION,
            description=topic.DESCRIPTION,
            props_schema=json.dumps(topic.SCHEMA),
            attributes=[AttributeInfo(a.name, a.doc) for a in topic.ATTRIBUTES],
        )

    def synth(self, context: SynthContext, props: str) -> Fragment:
        # The host has checked the props against topic.SCHEMA, so they are an object.
        values = json.loads(props)
        findings = topic.check(values)
        if any(f.severity == topic.ERROR for f in findings):
            # A refusal: the result's `err` case. Warnings found alongside are shown too.
            raise Err([diagnostic(f) for f in findings])
        return Fragment(
            template=json.dumps(topic.fragment(values)),
            attributes=[AttributeValue(a.name, json.dumps(a.value)) for a in topic.ATTRIBUTES],
            warnings=[diagnostic(f) for f in findings],
        )
