"""Unit tests of the construct's logic, on the machine's own CPython (no WebAssembly):

    python3 -m unittest discover -s examples/python-construct/notification_topic
"""

import json
import unittest

import topic

REFERENCE = {"Ref": "AlertEmail"}  # what `${AlertEmail}` in the stack file arrives as


def findings(props):
    return [(f.severity, f.path, f.message) for f in topic.check(props)]


class SchemaTest(unittest.TestCase):
    def test_is_json_and_closed(self):
        schema = json.loads(json.dumps(topic.SCHEMA))
        self.assertEqual(schema["$schema"], "https://json-schema.org/draft/2020-12/schema")
        self.assertFalse(schema["additionalProperties"])
        self.assertEqual(sorted(schema["properties"]), ["displayName", "fifo", "subscribers"])

    def test_attributes_start_with_the_arn(self):
        self.assertEqual([a.name for a in topic.ATTRIBUTES], ["arn", "name"])
        self.assertEqual(topic.ATTRIBUTES[0].value, {"Ref": "Resource"})


class CheckTest(unittest.TestCase):
    def test_good_props_have_no_findings(self):
        props = {"displayName": "Order alerts", "subscribers": ["ops@example.com", REFERENCE]}
        self.assertEqual(findings(props), [])
        self.assertEqual(findings({}), [])
        self.assertEqual(findings({"fifo": True}), [])

    def test_every_error_has_the_pointer_of_its_prop(self):
        found = findings({
            "displayName": "x" * 101,
            "subscribers": ["ops@example.com", "ops at example.com", "OPS@example.com"],
        })
        self.assertEqual(
            [(severity, path) for severity, path, _ in found],
            [("error", "/displayName"), ("error", "/subscribers/1"), ("error", "/subscribers/2")],
        )
        self.assertIn("at most 100 characters and this one has 101", found[0][2])
        self.assertIn("`ops at example.com` is not an email address", found[1][2])
        self.assertIn("already subscribed at index 0", found[2][2])

    def test_a_fifo_topic_takes_no_email_subscribers(self):
        found = findings({"fifo": True, "subscribers": ["ops@example.com"]})
        self.assertEqual([(s, p) for s, p, _ in found], [("error", "/subscribers")])

    def test_subscribers_without_a_display_name_are_a_warning(self):
        found = findings({"subscribers": [REFERENCE]})
        self.assertEqual([(s, p) for s, p, _ in found], [("warning", "/subscribers")])
        self.assertIn("set `displayName`", found[0][2])

    def test_references_are_left_to_cloudformation(self):
        props = {"displayName": {"Fn::Sub": "${AWS::StackName} " + "x" * 100}}
        self.assertEqual(findings(props), [])

    def test_pointer_escapes_tilde_and_slash(self):
        self.assertEqual(topic.pointer("subscribers", 3), "/subscribers/3")
        self.assertEqual(topic.pointer("a/b", "c~d"), "/a~1b/c~0d")


class FragmentTest(unittest.TestCase):
    def test_topic_with_subscribers(self):
        props = {"displayName": "Order alerts", "subscribers": ["ops@example.com", REFERENCE]}
        resources = topic.fragment(props)["Resources"]
        self.assertEqual(list(resources), ["Resource", "Subscription0", "Subscription1"])
        self.assertEqual(resources["Resource"], {
            "Type": "AWS::SNS::Topic",
            "Properties": {"DisplayName": "Order alerts"},
        })
        self.assertEqual(resources["Subscription1"], {
            "Type": "AWS::SNS::Subscription",
            "Properties": {"TopicArn": {"Ref": "Resource"}, "Protocol": "email", "Endpoint": REFERENCE},
        })

    def test_fifo_topic(self):
        resources = topic.fragment({"fifo": True})["Resources"]
        self.assertEqual(resources, {
            "Resource": {"Type": "AWS::SNS::Topic", "Properties": {"FifoTopic": True}},
        })

    def test_bare_topic_has_no_properties(self):
        self.assertEqual(topic.fragment({}), {"Resources": {"Resource": {"Type": "AWS::SNS::Topic"}}})


if __name__ == "__main__":
    unittest.main()
