//! Where the IAM policies of a CloudFormation template are, whom each applies to, and its
//! statements: the one reader shared by the rules (`stackweave-rules`), the diff's IAM
//! table (`stackweave-diff`) and the diagram's "assumed by" (`stackweave-graph`), so that a
//! policy one of them sees, the others see too.
//!
//! [`read_resource`] reads one resource of a long-form template (`{"Ref": ...}`, never YAML
//! short tags):
//!
//! - `AWS::IAM::Role`, `User` and `Group`: the trust policy (`AssumeRolePolicyDocument`,
//!   which only roles have) and each inline policy of `Policies` (`PolicyName`,
//!   `PolicyDocument`), which apply to the resource itself;
//! - `AWS::IAM::Policy` and `ManagedPolicy`: their `PolicyDocument`, which applies to the
//!   roles, users and groups listed in `Roles`, `Users` and `Groups`;
//! - `AWS::IAM::RolePolicy`, `UserPolicy` and `GroupPolicy`: their `PolicyDocument`, which
//!   applies to the one role, user or group named by `RoleName`, `UserName` or `GroupName`.
//!
//! Each document comes with its JSON Pointer in the template and its statements (a single
//! statement object counts as a list of one), each with its own pointer. What is not what
//! CloudFormation expects where it stands (an intrinsic function, a document written as JSON
//! text) is handed back as such, never guessed at: judging it is the caller's business.
//!
//! A value may be an `Fn::If`. How to read one is the caller's choice, passed as
//! [`Branches`]: [`as_written`] keeps it as one value (the diff compares what is written),
//! while the rules pass a function giving each branch (they check every possible
//! deployment). Policy attachments (`Roles`, `RoleName`...) are always read as written.

use serde_json::{Map, Value};

/// How to read a value that may be conditional: each value it may take, with its JSON
/// Pointer, given the value and its pointer. [`as_written`] is the value itself.
pub type Branches = for<'v> fn(&'v Value, &str) -> Vec<(&'v Value, String)>;

/// Reads every value as it is written: an `Fn::If` is one value.
pub fn as_written<'v>(value: &'v Value, pointer: &str) -> Vec<(&'v Value, String)> {
    vec![(value, pointer.to_owned())]
}

/// A kind of IAM identity, to which policies apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// `AWS::IAM::Role`.
    Role,
    /// `AWS::IAM::User`.
    User,
    /// `AWS::IAM::Group`.
    Group,
}

impl Identity {
    /// `role`, `user` or `group`.
    pub fn noun(self) -> &'static str {
        match self {
            Identity::Role => "role",
            Identity::User => "user",
            Identity::Group => "group",
        }
    }
}

/// The identity a resource type is, if it is one: `AWS::IAM::Role`, `User` or `Group`.
pub fn identity(resource_type: &str) -> Option<Identity> {
    match resource_type {
        "AWS::IAM::Role" => Some(Identity::Role),
        "AWS::IAM::User" => Some(Identity::User),
        "AWS::IAM::Group" => Some(Identity::Group),
        _ => None,
    }
}

/// The properties naming what a policy resource applies to, and what each names.
fn targets_of(resource_type: &str) -> Option<&'static [(&'static str, Identity)]> {
    const LISTS: &[(&str, Identity)] = &[
        ("Roles", Identity::Role),
        ("Users", Identity::User),
        ("Groups", Identity::Group),
    ];
    match resource_type {
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => Some(LISTS),
        "AWS::IAM::RolePolicy" => Some(&[("RoleName", Identity::Role)]),
        "AWS::IAM::UserPolicy" => Some(&[("UserName", Identity::User)]),
        "AWS::IAM::GroupPolicy" => Some(&[("GroupName", Identity::Group)]),
        _ => None,
    }
}

/// A role, user or group a policy resource applies to, as its template writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Target<'a> {
    /// What the property names.
    pub identity: Identity,
    /// The entry as written: usually `{"Ref": "<logical id>"}`, or a name.
    pub value: &'a Value,
}

impl<'a> Target<'a> {
    /// The logical id a `{"Ref": ...}` entry names.
    pub fn referenced(&self) -> Option<&'a str> {
        self.value.get("Ref")?.as_str()
    }
}

/// The policies an IAM resource holds (a role, user or group) or is (a policy resource).
#[derive(Debug, Clone)]
pub struct IamResource<'a> {
    /// Its logical id.
    pub logical_id: &'a str,
    /// Its `Type`.
    pub resource_type: &'a str,
    /// Which identity it is; `None` for a policy resource.
    pub identity: Option<Identity>,
    /// For a policy resource, the roles, users and groups it applies to, in the order of
    /// `Roles`, `Users`, `Groups` (or its `RoleName`, `UserName`, `GroupName`), each list in
    /// its own order; a single value where a list belongs counts as a list of one, null as
    /// none, and an `Fn::If` is one target whatever [`Branches`] says. Empty for an
    /// identity.
    pub attached_to: Vec<Target<'a>>,
    /// What was found, in template order: the trust policy, then `Policies` (an identity),
    /// or the `PolicyDocument` (a policy resource).
    pub parts: Vec<Part<'a>>,
}

impl<'a> IamResource<'a> {
    /// The policy documents among [`IamResource::parts`].
    pub fn documents(&self) -> impl Iterator<Item = &Document<'a>> {
        self.parts.iter().filter_map(|part| match part {
            Part::Document(document) => Some(document),
            _ => None,
        })
    }
}

/// One thing found where an IAM resource keeps its policies.
#[derive(Debug, Clone)]
pub enum Part<'a> {
    /// A policy document.
    Document(Document<'a>),
    /// `Policies` is not a list (an intrinsic function, or anything else).
    NotAList {
        /// Where it is.
        pointer: String,
        /// What is there.
        value: &'a Value,
    },
    /// An entry of `Policies` is not a policy (an intrinsic function, or not an object).
    NotAPolicy {
        /// Its position in `Policies`.
        index: usize,
        /// Where it is.
        pointer: String,
        /// What is there.
        value: &'a Value,
    },
}

/// Which policy of its resource a document is, which says whom it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The trust policy (`AssumeRolePolicyDocument`): who may assume the role.
    Trust,
    /// An inline policy, `Policies[index]`: applies to the role, user or group itself.
    Inline {
        /// Its position in `Policies`.
        index: usize,
    },
    /// The `PolicyDocument` of a policy resource: applies to its
    /// [`IamResource::attached_to`].
    PolicyResource,
}

/// A policy document, as written at [`Document::pointer`].
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// Which of its resource's policies it is.
    pub source: Source,
    /// `PolicyName` as written (of the `Policies` entry or the policy resource); `None` for
    /// a trust policy, and for a managed policy, whose optional name is `ManagedPolicyName`
    /// (callers name it as they see fit: the rules by its logical id, the diff by that name).
    pub name: Option<&'a Value>,
    /// Its JSON Pointer in the template (through the branch taken, if any).
    pub pointer: String,
    /// The document as written.
    pub value: &'a Value,
    branches: Branches,
}

impl<'a> Document<'a> {
    /// Its statements, read as the resource was.
    pub fn content(&self) -> Content<'a> {
        read_document(self.value, &self.pointer, self.branches)
    }
}

/// What a policy document holds.
#[derive(Debug, Clone)]
pub enum Content<'a> {
    /// Its statements in order; none when `Statement` is absent.
    Statements(Vec<Slot<'a>>),
    /// The document is JSON text (CloudFormation takes it), unparsed.
    Text(&'a str),
    /// The document is an intrinsic function, or not an object.
    Unreadable,
}

/// One entry of a document's `Statement`.
#[derive(Debug, Clone)]
pub enum Slot<'a> {
    /// A statement.
    Statement(Statement<'a>),
    /// Not a statement: an intrinsic function, or not an object.
    Unreadable {
        /// Its position in `Statement` (0 when `Statement` is not a list).
        index: usize,
        /// Where it is.
        pointer: String,
        /// What is there.
        value: &'a Value,
    },
}

/// A statement of a policy document; read its elements (`Effect`, `Action`, `NotAction`,
/// `Resource`, `NotResource`, `Principal`, `NotPrincipal`, `Condition`, `Sid`) from
/// [`Statement::body`], one-or-many ones through [`entries`].
#[derive(Debug, Clone)]
pub struct Statement<'a> {
    /// Its position in `Statement` (0 when `Statement` is not a list).
    pub index: usize,
    /// Where it is.
    pub pointer: String,
    /// The statement as written.
    pub body: &'a Map<String, Value>,
}

/// The policies of one resource of a template, when it is an IAM identity or policy
/// resource (see the crate documentation); `None` for any other resource, or one without a
/// `Type`. Pointers start at `/Resources/<logical_id>`.
pub fn read_resource<'a>(
    logical_id: &'a str,
    resource: &'a Value,
    branches: Branches,
) -> Option<IamResource<'a>> {
    let resource_type = resource.get("Type")?.as_str()?;
    let identity = identity(resource_type);
    let targets = targets_of(resource_type);
    if identity.is_none() && targets.is_none() {
        return None;
    }
    let properties = resource.get("Properties");
    let properties_pointer = child(&child("/Resources", logical_id), "Properties");
    let property = |name: &str| {
        let value = properties?.get(name)?;
        Some((value, child(&properties_pointer, name)))
    };
    let mut parts = Vec::new();
    let document = |source, name, value: &'a Value, pointer: &str, parts: &mut Vec<_>| {
        for (value, pointer) in branches(value, pointer) {
            parts.push(Part::Document(Document {
                source,
                name,
                pointer,
                value,
                branches,
            }));
        }
    };
    if identity.is_some() {
        if let Some((trust, pointer)) = property("AssumeRolePolicyDocument") {
            document(Source::Trust, None, trust, &pointer, &mut parts);
        }
        if let Some((policies, pointer)) = property("Policies") {
            for (list, list_pointer) in branches(policies, &pointer) {
                let Value::Array(list) = list else {
                    parts.push(Part::NotAList {
                        pointer: list_pointer,
                        value: list,
                    });
                    continue;
                };
                for (index, entry) in list.iter().enumerate() {
                    for (entry, pointer) in
                        branches(entry, &child(&list_pointer, &index.to_string()))
                    {
                        if !is_object(entry) {
                            parts.push(Part::NotAPolicy {
                                index,
                                pointer,
                                value: entry,
                            });
                        } else if let Some(policy) = entry.get("PolicyDocument") {
                            let name = entry.get("PolicyName");
                            let pointer = child(&pointer, "PolicyDocument");
                            document(Source::Inline { index }, name, policy, &pointer, &mut parts);
                        }
                    }
                }
            }
        }
    }
    let mut attached_to = Vec::new();
    for &(name, identity) in targets.unwrap_or_default() {
        let Some((value, _)) = property(name) else {
            continue;
        };
        let values = match value {
            Value::Null => Vec::new(),
            Value::Array(list) => list.iter().collect(),
            single => vec![single],
        };
        attached_to.extend(values.into_iter().map(|value| Target { identity, value }));
    }
    if targets.is_some()
        && let Some((policy, pointer)) = property("PolicyDocument")
    {
        let name = property("PolicyName").map(|(name, _)| name);
        document(Source::PolicyResource, name, policy, &pointer, &mut parts);
    }
    Some(IamResource {
        logical_id,
        resource_type,
        identity,
        attached_to,
        parts,
    })
}

/// The statements of a policy document at `pointer` (a document written as JSON text can
/// be parsed and read with this too).
pub fn read_document<'a>(document: &'a Value, pointer: &str, branches: Branches) -> Content<'a> {
    let body = match document {
        Value::String(text) => return Content::Text(text),
        Value::Object(body) if is_object(document) => body,
        _ => return Content::Unreadable,
    };
    let mut slots = Vec::new();
    let Some(statement) = body.get("Statement") else {
        return Content::Statements(slots);
    };
    for (statement, pointer) in branches(statement, &child(pointer, "Statement")) {
        match statement {
            Value::Array(list) => {
                for (index, item) in list.iter().enumerate() {
                    for (item, pointer) in branches(item, &child(&pointer, &index.to_string())) {
                        slots.push(slot(item, pointer, index));
                    }
                }
            }
            single => slots.push(slot(single, pointer, 0)),
        }
    }
    Content::Statements(slots)
}

fn slot(value: &Value, pointer: String, index: usize) -> Slot<'_> {
    match value {
        Value::Object(body) if is_object(value) => Slot::Statement(Statement {
            index,
            pointer,
            body,
        }),
        _ => Slot::Unreadable {
            index,
            pointer,
            value,
        },
    }
}

/// The entries of a one-or-many element (`Action`, `Resource`, a principal's ids...) with
/// their pointers: a list's items, or the value itself, each read through `branches`.
pub fn entries<'a>(
    value: &'a Value,
    pointer: &str,
    branches: Branches,
) -> Vec<(&'a Value, String)> {
    let mut out = Vec::new();
    for (value, pointer) in branches(value, pointer) {
        match value {
            Value::Array(list) => {
                for (index, entry) in list.iter().enumerate() {
                    out.extend(branches(entry, &child(&pointer, &index.to_string())));
                }
            }
            single => out.push((single, pointer)),
        }
    }
    out
}

/// Whether `value` is an object of plain data, not an intrinsic function.
fn is_object(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|object| stackweave_template::intrinsic_function(object).is_none())
}

/// `pointer` extended by one reference token, escaped as RFC 6901 says.
fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Both branches of an `Fn::If`, as the rules read them.
    fn each_branch<'v>(value: &'v Value, pointer: &str) -> Vec<(&'v Value, String)> {
        match value.get("Fn::If").and_then(Value::as_array) {
            Some(args) if args.len() == 3 => vec![
                (&args[1], format!("{pointer}/Fn::If/1")),
                (&args[2], format!("{pointer}/Fn::If/2")),
            ],
            _ => as_written(value, pointer),
        }
    }

    fn pointers(resource: &IamResource) -> Vec<(Source, String)> {
        resource
            .documents()
            .map(|d| (d.source, d.pointer.clone()))
            .collect()
    }

    fn statement_pointers(document: &Document) -> Vec<String> {
        match document.content() {
            Content::Statements(slots) => slots
                .iter()
                .map(|slot| match slot {
                    Slot::Statement(s) => s.pointer.clone(),
                    Slot::Unreadable { pointer, .. } => format!("unreadable {pointer}"),
                })
                .collect(),
            other => panic!("statements: {other:?}"),
        }
    }

    #[test]
    fn a_role_has_its_trust_policy_and_inline_policies() {
        let role = json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow"}]},
            "Policies": [
                {"PolicyName": "A", "PolicyDocument": {"Statement": {"Effect": "Allow"}}},
                {"PolicyName": "NoDocument"},
                {"Ref": "Hidden"},
            ],
        }});
        let read = read_resource("R", &role, as_written).expect("a role");
        assert_eq!(read.identity, Some(Identity::Role));
        assert!(read.attached_to.is_empty());
        assert_eq!(
            pointers(&read),
            [
                (
                    Source::Trust,
                    "/Resources/R/Properties/AssumeRolePolicyDocument".to_owned()
                ),
                (
                    Source::Inline { index: 0 },
                    "/Resources/R/Properties/Policies/0/PolicyDocument".to_owned()
                ),
            ]
        );
        let documents: Vec<&Document> = read.documents().collect();
        assert_eq!(documents[1].name, Some(&json!("A")));
        // A single statement object is a list of one.
        assert_eq!(
            statement_pointers(documents[1]),
            ["/Resources/R/Properties/Policies/0/PolicyDocument/Statement"]
        );
        assert!(matches!(
            read.parts.last(),
            Some(Part::NotAPolicy { index: 2, pointer, .. }) if pointer == "/Resources/R/Properties/Policies/2"
        ));
    }

    #[test]
    fn policy_resources_name_what_they_apply_to() {
        let cases = [
            (
                "AWS::IAM::Policy",
                json!({"Roles": [{"Ref": "R"}], "Users": ["u"], "Groups": [{"Ref": "G"}]}),
                vec![
                    (Identity::Role, json!({"Ref": "R"})),
                    (Identity::User, json!("u")),
                    (Identity::Group, json!({"Ref": "G"})),
                ],
            ),
            (
                "AWS::IAM::ManagedPolicy",
                json!({"Roles": [{"Ref": "A"}, {"Ref": "B"}]}),
                vec![
                    (Identity::Role, json!({"Ref": "A"})),
                    (Identity::Role, json!({"Ref": "B"})),
                ],
            ),
            (
                "AWS::IAM::RolePolicy",
                json!({"RoleName": {"Ref": "R"}}),
                vec![(Identity::Role, json!({"Ref": "R"}))],
            ),
            (
                "AWS::IAM::UserPolicy",
                json!({"UserName": "alice"}),
                vec![(Identity::User, json!("alice"))],
            ),
            (
                "AWS::IAM::GroupPolicy",
                json!({"GroupName": {"Ref": "G"}}),
                vec![(Identity::Group, json!({"Ref": "G"}))],
            ),
        ];
        for (resource_type, mut properties, expected) in cases {
            properties["PolicyName"] = json!("P");
            properties["PolicyDocument"] =
                json!({"Statement": [{"Effect": "Allow"}, {"Fn::If": ["C", {}, {}]}]});
            let resource = json!({"Type": resource_type, "Properties": properties});
            let read = read_resource("P1", &resource, as_written).expect(resource_type);
            assert_eq!(read.identity, None);
            let targets: Vec<(Identity, Value)> = read
                .attached_to
                .iter()
                .map(|t| (t.identity, t.value.clone()))
                .collect();
            assert_eq!(targets, expected, "{resource_type}");
            let documents: Vec<&Document> = read.documents().collect();
            assert_eq!(documents.len(), 1);
            assert_eq!(documents[0].source, Source::PolicyResource);
            assert_eq!(documents[0].name, Some(&json!("P")));
            assert_eq!(
                statement_pointers(documents[0]),
                [
                    "/Resources/P1/Properties/PolicyDocument/Statement/0",
                    "unreadable /Resources/P1/Properties/PolicyDocument/Statement/1"
                ]
            );
        }
        let managed = json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "ManagedPolicyName": "M", "PolicyDocument": {}}});
        let read = read_resource("M1", &managed, as_written).expect("a managed policy");
        assert_eq!(read.documents().next().and_then(|d| d.name), None);
        assert_eq!(read.attached_to[..], []);
        assert_eq!(
            read_resource("R", &json!({"Type": "AWS::IAM::RolePolicy", "Properties": {"RoleName": {"Ref": "Role"}}}), as_written)
                .and_then(|r| r.attached_to.first().and_then(Target::referenced)),
            Some("Role")
        );
    }

    #[test]
    fn other_resources_are_not_read() {
        for resource in [
            json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"PolicyDocument": {}}}),
            json!({"Properties": {"Policies": []}}),
        ] {
            assert!(read_resource("X", &resource, as_written).is_none());
        }
    }

    #[test]
    fn branches_are_the_callers_choice() {
        let role = json!({"Type": "AWS::IAM::Role", "Properties": {"Policies": [
            {"PolicyName": "P", "PolicyDocument": {"Fn::If": ["C",
                {"Statement": [{"Effect": "Allow"}]},
                {"Statement": {"Fn::If": ["D", [{"Effect": "Deny"}], {"Effect": "Allow"}]}}]}},
        ]}});
        let written = read_resource("R", &role, as_written).expect("a role");
        let documents: Vec<&Document> = written.documents().collect();
        assert_eq!(documents.len(), 1);
        assert!(matches!(documents[0].content(), Content::Unreadable));

        let branched = read_resource("R", &role, each_branch).expect("a role");
        let documents: Vec<&Document> = branched.documents().collect();
        let base = "/Resources/R/Properties/Policies/0/PolicyDocument/Fn::If";
        assert_eq!(documents[0].pointer, format!("{base}/1"));
        assert_eq!(
            statement_pointers(documents[0]),
            [format!("{base}/1/Statement/0")]
        );
        assert_eq!(
            statement_pointers(documents[1]),
            [
                format!("{base}/2/Statement/Fn::If/1/0"),
                format!("{base}/2/Statement/Fn::If/2")
            ]
        );
    }

    #[test]
    fn documents_as_text_unreadable_lists_and_absent_statements() {
        let role = json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": "{\"Statement\": []}",
            "Policies": {"Ref": "Policies"}}});
        let read = read_resource("R", &role, as_written).expect("a role");
        assert!(
            matches!(read.parts[0], Part::Document(ref d) if matches!(d.content(), Content::Text(_)))
        );
        assert!(
            matches!(read.parts[1], Part::NotAList { ref pointer, .. } if pointer == "/Resources/R/Properties/Policies")
        );
        for document in [json!({}), json!({"Statement": []})] {
            assert!(
                matches!(read_document(&document, "", as_written), Content::Statements(s) if s.is_empty())
            );
        }
        // Null is a value, not a statement: what it means is the caller's call.
        let null = json!({"Statement": null});
        let Content::Statements(slots) = read_document(&null, "/D", as_written) else {
            panic!("an object is a document")
        };
        assert!(
            matches!(&slots[..], [Slot::Unreadable { index: 0, pointer, value: Value::Null }] if pointer == "/D/Statement"),
            "{slots:?}"
        );
    }

    #[test]
    fn entries_are_one_or_many() {
        let one = json!("s3:GetObject");
        assert_eq!(entries(&one, "/A", as_written), [(&one, "/A".to_owned())]);
        let many = json!(["a", {"Fn::If": ["C", "b", "c"]}]);
        let read: Vec<(Value, String)> = entries(&many, "/A", each_branch)
            .into_iter()
            .map(|(v, p)| (v.clone(), p))
            .collect();
        assert_eq!(
            read,
            [
                (json!("a"), "/A/0".to_owned()),
                (json!("b"), "/A/1/Fn::If/1".to_owned()),
                (json!("c"), "/A/1/Fn::If/2".to_owned()),
            ]
        );
    }

    #[test]
    fn logical_ids_are_escaped_in_pointers() {
        let role =
            json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}});
        let read = read_resource("a/b~c", &role, as_written).expect("a role");
        assert_eq!(
            read.documents().next().map(|d| d.pointer.as_str()),
            Some("/Resources/a~1b~0c/Properties/AssumeRolePolicyDocument")
        );
    }
}
