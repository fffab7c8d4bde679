//! The diff itself: what changed, as plain data with a stable JSON form.
//!
//! Every list is in template order (the new template's, or the old one's for what was
//! removed), never in hash order, so the same two templates always give the same bytes.
//! Field names are snake_case; optional fields are left out when absent, as each field's
//! documentation says.

use serde::Serialize;
use serde_json::Value;

/// Everything that differs between two templates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TemplateDiff {
    /// Changes under `Resources`.
    pub resources: ResourceDiff,
    /// Changes under `Outputs`.
    pub outputs: EntryDiff,
    /// Changes under `Parameters`.
    pub parameters: EntryDiff,
    /// Changes to every other top-level section (`AWSTemplateFormatVersion`,
    /// `Description`, `Conditions`, `Mappings`, `Metadata`, `Rules`, `Transform`, ...), one
    /// entry per changed section, in template order.
    pub sections: Vec<SectionChange>,
    /// Permission changes, statement by statement: what a reviewer must not miss in a long
    /// diff. Also listed, by path, among the resources' changes.
    pub iam: Vec<IamChange>,
}

impl TemplateDiff {
    /// Whether the templates mean the same (key order and `DependsOn: X` versus
    /// `DependsOn: [X]` do not count as differences).
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
            && self.outputs.is_empty()
            && self.parameters.is_empty()
            && self.sections.is_empty()
            && self.iam.is_empty()
    }

    /// Whether deploying the new template replaces (or may replace) any resource.
    pub fn has_replacements(&self) -> bool {
        !self.resources.renamed.is_empty()
            || self
                .resources
                .modified
                .iter()
                .any(|resource| resource.replacement != Replacement::Never)
    }

    /// Renders the diff for people, like `cdk diff`: "No differences" when empty, otherwise
    /// the sections that changed, separated by a blank line, in this order:
    ///
    /// - **IAM changes** first, as tables (permission statements, trust policy statements,
    ///   managed policies, policy attachments; `+` added, `-` removed), so that a widened
    ///   permission is the first thing a reviewer reads;
    /// - **Resources**: `[-] AWS::SNS::Topic Old`, `[+] AWS::IAM::Role WorkflowRole`,
    ///   `[~] AWS::ApiGateway::Deployment renamed Old -> New (replacement)`, then
    ///   `[~] AWS::ApiGateway::Stage ApiStage (replacement)` with each change indented below,
    ///   `[~] Properties.StageName: "prod" -> "v1" (requires replacement)`;
    /// - **Outputs**, **Parameters** and **Other sections**, alike.
    ///
    /// Values are compact JSON; a long or multi-line one is shown line by line as YAML,
    /// `-` old and `+` new, with two lines of unchanged context. With `color`, ANSI colours
    /// mark additions (green), removals (red), modifications (yellow) and replacements
    /// (bold red); without it there are no escape codes. Every line ends with a line break
    /// and no trailing whitespace, and the same diff always gives the same bytes.
    pub fn render_text(&self, color: bool) -> String {
        crate::render::render(self, color)
    }
}

/// Changes under `Resources`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResourceDiff {
    /// Resources only in the new template (and not a rename of a removed one).
    pub added: Vec<ResourceRef>,
    /// Resources only in the old template (and not renamed).
    pub removed: Vec<ResourceRef>,
    /// Resources whose logical id changed: one removed and one added with the same type and
    /// (nearly) the same content. CloudFormation creates the new one and deletes the old
    /// one, so each is a replacement.
    pub renamed: Vec<RenamedResource>,
    /// Resources in both templates whose content changed.
    pub modified: Vec<ModifiedResource>,
}

impl ResourceDiff {
    /// Whether no resource changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.modified.is_empty()
    }
}

/// A resource added or removed whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceRef {
    /// Its logical id.
    pub logical_id: String,
    /// Its `Type` (empty when the template gives none).
    pub resource_type: String,
}

/// A resource whose logical id changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenamedResource {
    /// The logical id in the old template.
    pub old_logical_id: String,
    /// The logical id in the new template.
    pub new_logical_id: String,
    /// The `Type`, the same in both.
    pub resource_type: String,
    /// Always [`Replacement::Always`]: a new logical id is a new resource.
    pub replacement: Replacement,
    /// Why it is replaced, for people.
    pub reason: String,
    /// What else differs between the two (empty when only the id changed).
    pub changes: Vec<PropertyChange>,
}

/// A resource whose content changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModifiedResource {
    /// Its logical id.
    pub logical_id: String,
    /// Its `Type` in the new template.
    pub resource_type: String,
    /// The strongest replacement among its changes.
    pub replacement: Replacement,
    /// Each difference, in template order.
    pub changes: Vec<PropertyChange>,
}

/// Whether a change makes CloudFormation replace the resource (create a new physical
/// resource, then delete the old one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Replacement {
    /// Updated in place.
    Never,
    /// Replaced if the value changes once resolved, which only deployment knows: the
    /// property refers to a resource that this diff replaces.
    Conditional,
    /// Replaced: a `Type` change, a new logical id, or a change to a property AWS
    /// documents as "Update requires: Replacement".
    Always,
}

/// One difference inside a resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyChange {
    /// Where, from the resource: `Type`, `DependsOn[0]`,
    /// `Properties.Policies[0].PolicyDocument.Statement[0].Action[1]`. Keys that are not
    /// plain words are quoted: `Properties.RequestTemplates["application/json"]`. List
    /// indexes are the new template's (the old one's for removed items); lists are aligned
    /// on their equal items first, so an insertion is one addition, not a change at every
    /// later index. An intrinsic function (`Ref`, `Fn::*`) is compared whole.
    pub path: String,
    /// The old value; absent when the value was added. Equal to `new` for a
    /// [`Replacement::Conditional`] change, whose text did not change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The new value; absent when the value was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// Whether this change replaces the resource.
    pub replacement: Replacement,
    /// Why it replaces the resource; absent when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Changes in a section of named entries (`Outputs`, `Parameters`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EntryDiff {
    /// Entries only in the new template.
    pub added: Vec<Entry>,
    /// Entries only in the old template.
    pub removed: Vec<Entry>,
    /// Entries in both whose content changed.
    pub modified: Vec<ModifiedEntry>,
}

impl EntryDiff {
    /// Whether no entry changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.modified.is_empty()
    }
}

/// An entry added or removed whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Its name (logical id).
    pub id: String,
    /// Its whole value.
    pub value: Value,
}

/// An entry whose content changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModifiedEntry {
    /// Its name (logical id).
    pub id: String,
    /// Each difference, with paths from the entry (`Value`, `Export.Name`).
    pub changes: Vec<ValueChange>,
}

/// A changed top-level section other than `Resources`, `Outputs` and `Parameters`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionChange {
    /// The section's key, e.g. `Description`.
    pub section: String,
    /// Each difference, with paths from the template root (`Description`,
    /// `Conditions.IsProd`, `Mappings.Region["eu-west-1"].Ami`).
    pub changes: Vec<ValueChange>,
}

/// One difference outside resources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueChange {
    /// Where, written as in [`PropertyChange::path`].
    pub path: String,
    /// The old value; absent when the value was added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The new value; absent when the value was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// One permission change: a statement, managed policy or policy attachment gained or lost
/// by an IAM resource (`AWS::IAM::Role`, `User`, `Group`, `Policy`, `ManagedPolicy`,
/// `RolePolicy`, `UserPolicy`, `GroupPolicy`).
///
/// Statements are compared per resource as sets: order, the policy they sit in and their
/// `Sid` do not matter, only `Effect`, `Action`, `Resource`, `Principal` and `Condition`
/// (and their `Not` forms). So a widened statement shows as the old one removed and the new
/// one added. A resource added or removed whole contributes everything it grants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IamChange {
    /// `added` or `removed`.
    pub change: IamChangeKind,
    /// The IAM resource that gains or loses it.
    pub logical_id: String,
    /// That resource's `Type`.
    pub resource_type: String,
    /// What it gains or loses; its `kind` field says which.
    #[serde(flatten)]
    pub item: IamItem,
}

/// Whether an [`IamChange`] grants or takes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IamChangeKind {
    /// In the new template only.
    Added,
    /// In the old template only.
    Removed,
}

/// What an [`IamChange`] is about; serialised with a `kind` field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IamItem {
    /// A statement of a permissions policy (inline `Policies[]`, or the `PolicyDocument` of
    /// an `AWS::IAM::Policy`, `ManagedPolicy`, `RolePolicy`, `UserPolicy` or `GroupPolicy`).
    Statement {
        /// Which policy holds it: the inline policy's `PolicyName` (or `Policies[i]`), or
        /// the policy resource's name.
        policy: String,
        /// The statement, normalised.
        statement: IamStatement,
    },
    /// A statement of a role's trust policy (`AssumeRolePolicyDocument`): who may assume it.
    TrustStatement {
        /// The statement, normalised.
        statement: IamStatement,
    },
    /// A managed policy attached through `ManagedPolicyArns`.
    ManagedPolicy {
        /// The ARN, rendered like statement values.
        arn: String,
    },
    /// A role, user or group that a policy resource applies to: listed in `Roles`, `Users`
    /// or `Groups` of an `AWS::IAM::Policy` / `ManagedPolicy`, or named by `RoleName`,
    /// `UserName` or `GroupName` of an `AWS::IAM::RolePolicy`, `UserPolicy`, `GroupPolicy`.
    Attachment {
        /// `role`, `user` or `group`.
        target_type: String,
        /// The role, user or group, rendered like statement values (`${WorkflowRole}`).
        target: String,
    },
}

/// A policy statement in a form that compares and reads well.
///
/// Single strings become one-item lists; lists are sorted and without duplicates.
/// Intrinsic functions are rendered compactly: `${Workflow}` for `Ref`,
/// `${Workflow.Arn}` for `Fn::GetAtt`, the text of an `Fn::Sub`, other functions as JSON.
/// Empty lists and absent fields are left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IamStatement {
    /// The `Sid`, shown but not compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny` (as written).
    pub effect: String,
    /// `Action`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// `NotAction`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<String>,
    /// `Resource`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// `NotResource`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_resources: Vec<String>,
    /// `Principal`, each as `Type:value` (`Service:states.amazonaws.com`), or `*`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<String>,
    /// `NotPrincipal`, written like `principals`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_principals: Vec<String>,
    /// `Condition`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
    /// A statement written as an intrinsic function (say `Fn::If`), kept as written: its
    /// content is only known at deployment. The other fields are then empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unresolved: Option<Value>,
}

impl IamStatement {
    /// Whether two statements grant the same thing: everything but the `Sid` is equal
    /// (`Condition` maps compare regardless of key order).
    pub fn same_grant(&self, other: &IamStatement) -> bool {
        self.effect == other.effect
            && self.actions == other.actions
            && self.not_actions == other.not_actions
            && self.resources == other.resources
            && self.not_resources == other.not_resources
            && self.principals == other.principals
            && self.not_principals == other.not_principals
            && self.condition == other.condition
            && self.unresolved == other.unresolved
    }
}
