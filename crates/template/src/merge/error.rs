//! Merge errors: what can go wrong while combining fragments into one template, each
//! saying what is wrong, who caused it and what to do about it.

use std::fmt;

use crate::logical_id::invalid_reason;
use crate::merge::{Owner, Quotas};
use stackweave_location::shortened;

/// The kind of a reference, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    /// `{"Ref": "X"}`.
    Ref,
    /// `{"Fn::GetAtt": ["X", "A"]}` or `{"Fn::GetAtt": "X.A"}`.
    GetAtt,
    /// A `${X}` or `${X.A}` variable of `Fn::Sub`.
    Sub,
    /// An entry of a resource's `DependsOn`.
    DependsOn,
    /// A condition name: a `Condition` attribute, the first argument of `Fn::If`, or
    /// `{"Condition": "X"}` inside `Fn::And` / `Fn::Or` / `Fn::Not`.
    Condition,
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefKind::Ref => "Ref",
            RefKind::GetAtt => "Fn::GetAtt",
            RefKind::Sub => "Fn::Sub",
            RefKind::DependsOn => "DependsOn",
            RefKind::Condition => "Condition",
        })
    }
}

/// Why fragments could not be merged into a valid template.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Two entries of one namespace got the same logical id.
    DuplicateLogicalId {
        /// The contested logical id.
        logical_id: String,
        /// Who took the id first.
        first: Owner,
        /// Who asked for it again.
        second: Owner,
    },
    /// A pin names a local id that the construct's fragment does not have.
    UnknownPin {
        /// The construct with the pin.
        owner: Owner,
        /// The local id the pin names.
        local_id: String,
    },
    /// A logical id CloudFormation would reject: not alphanumeric, empty or too long.
    InvalidLogicalId {
        /// Who produced it.
        owner: Owner,
        /// The rejected id.
        logical_id: String,
    },
    /// A template-level id a construct's properties refer to is also one of the
    /// construct's own local ids, so the reference could mean either.
    AmbiguousId {
        /// The construct.
        owner: Owner,
        /// The id that means two things.
        id: String,
    },
    /// A reference to something the template does not have.
    DanglingReference {
        /// Who contributed the entry holding the reference.
        owner: Owner,
        /// The entry holding it: a resource's logical id, `Outputs.X` or `Conditions.X`.
        from: String,
        /// The kind of reference.
        kind: RefKind,
        /// What it names; `X.A` for a `Fn::Sub` variable with an attribute.
        target: String,
    },
    /// A construct's fragment or attribute names an id it neither made nor was given: a
    /// guess at another construct's logical ids.
    ForeignReference {
        /// The construct.
        owner: Owner,
        /// The entry holding it: a resource's local id, `Outputs.X`, `Conditions.X` or
        /// `Attributes.X`.
        from: String,
        /// The kind of reference.
        kind: RefKind,
        /// What it names.
        target: String,
    },
    /// Resources that depend on each other in a loop, in order; the last depends on the first.
    DependencyCycle {
        /// Each resource on the cycle with its owner.
        cycle: Vec<(String, Owner)>,
    },
    /// Conditions defined through each other in a loop, in order; the last names the first.
    ConditionCycle {
        /// Each condition on the cycle with its owner.
        cycle: Vec<(String, Owner)>,
    },
    /// No construct contributed a resource; CloudFormation needs at least one.
    NoResources,
    /// A CloudFormation quota is exceeded.
    QuotaExceeded {
        /// Which quota: `resources`, `outputs`, `parameters` or `templateBytes`.
        quota: &'static str,
        /// The limit in force.
        limit: usize,
        /// The template's count.
        actual: usize,
    },
    /// The template could not be serialised; this indicates a bug, not a user error.
    Render {
        /// The serialiser's message.
        message: String,
    },
}

impl MergeError {
    /// For [`MergeError::QuotaExceeded`], in CloudFormation's terms: what is over the quota
    /// (`the template has 612 resources`, `the rendered template is 1000001 bytes`) and, when
    /// the limit in force is CloudFormation's own, what it allows (`CloudFormation allows 500
    /// per stack`). A caller that let its user set the limit says where instead.
    pub fn quota_excess(&self) -> Option<(String, Option<String>)> {
        let MergeError::QuotaExceeded {
            quota,
            limit,
            actual,
        } = self
        else {
            return None;
        };
        let default = Quotas::default();
        let (default_limit, allowance) = match *quota {
            "resources" => (default.resources, "per stack"),
            "outputs" => (default.outputs, "per stack"),
            "parameters" => (default.parameters, "per stack"),
            _ => (
                default.template_bytes,
                "bytes for a template body uploaded through S3",
            ),
        };
        let excess = if *quota == "templateBytes" {
            format!("the rendered template is {actual} bytes")
        } else {
            format!("the template has {actual} {quota}")
        };
        let cloudformation =
            (*limit == default_limit).then(|| format!("CloudFormation allows {limit} {allowance}"));
        Some((excess, cloudformation))
    }
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeError::DuplicateLogicalId {
                logical_id,
                first,
                second,
            } if first == second => write!(
                f,
                "{first} produces logical id `{logical_id}` twice; \
                 pin one of its local ids to a different logical id"
            ),
            MergeError::DuplicateLogicalId {
                logical_id,
                first,
                second,
            } => write!(
                f,
                "logical id `{logical_id}` is used by both {first} and {second}; \
                 rename one of them, or pin a different logical id"
            ),
            MergeError::UnknownPin { owner, local_id } => write!(
                f,
                "{owner} pins local id `{local_id}`, but its plugin contributes no resource, \
                 condition or output with that local id; fix or remove the pin"
            ),
            MergeError::InvalidLogicalId { owner, logical_id } => {
                let reason = invalid_reason(logical_id).unwrap_or_else(|| "is invalid".into());
                let logical_id = shortened(logical_id);
                match owner {
                    Owner::StackFile => write!(
                        f,
                        "the stack file declares `{logical_id}`, which {reason}; rename it"
                    ),
                    Owner::Construct(_) => write!(
                        f,
                        "{owner} produces logical id `{logical_id}`, which {reason}; \
                         rename the construct, or pin a valid logical id"
                    ),
                }
            }
            MergeError::AmbiguousId { owner, id } => {
                let id = shortened(id);
                write!(
                    f,
                    "{owner} refers to the template's `{id}`, but its plugin also has a local id \
                 `{id}`, so the reference is ambiguous"
                )
            }
            MergeError::DanglingReference {
                owner,
                from,
                kind,
                target,
            } => {
                // Both come from a plugin's fragment: quoted short and visible.
                let (from, target) = (shortened(from), shortened(target));
                let entry = match (
                    from.strip_prefix("Outputs."),
                    from.strip_prefix("Conditions."),
                ) {
                    (Some(name), _) => format!("output `{name}`"),
                    (_, Some(name)) => format!("condition `{name}`"),
                    _ => format!("resource `{from}`"),
                };
                let any = "a resource, parameter or pseudo parameter";
                let problem = match kind {
                    RefKind::Ref => format!("a Ref to `{target}`, which is not {any}"),
                    RefKind::GetAtt => {
                        format!("a Fn::GetAtt on `{target}`, which is not a resource")
                    }
                    RefKind::Sub => match target.split_once('.') {
                        Some((id, _)) => format!(
                            "a Fn::Sub variable `${{{target}}}`, but `{id}` is not a resource"
                        ),
                        None => format!("a Fn::Sub variable `${{{target}}}`, which is not {any}"),
                    },
                    RefKind::DependsOn => {
                        format!("a DependsOn on `{target}`, which is not a resource")
                    }
                    RefKind::Condition => {
                        format!("a reference to condition `{target}`, which is not a condition")
                    }
                };
                write!(
                    f,
                    "{entry} ({owner}) has {problem} of this template; \
                     check the name, or add the missing entry to the stack"
                )
            }
            MergeError::ForeignReference {
                owner,
                from,
                kind,
                target,
            } => {
                let entry = match (
                    from.strip_prefix("Outputs."),
                    from.strip_prefix("Conditions."),
                    from.strip_prefix("Attributes."),
                ) {
                    (Some(name), _, _) => format!("output `{name}`"),
                    (_, Some(name), _) => format!("condition `{name}`"),
                    (_, _, Some(name)) => format!("attribute `{name}`"),
                    _ => format!("resource `{from}`"),
                };
                write!(
                    f,
                    "{entry} of {owner} has a {kind} to `{}`, which is none of its own ids, \
                     no parameter, and no id it was given (through its props or its children's \
                     attributes); a plugin may only refer to what it creates or receives",
                    shortened(target)
                )
            }
            MergeError::ConditionCycle { cycle } => {
                f.write_str("conditions are defined through each other in a cycle: ")?;
                for (id, owner) in cycle {
                    write!(f, "{id} ({owner}) -> ")?;
                }
                if let Some((first, _)) = cycle.first() {
                    f.write_str(first)?;
                }
                f.write_str("; CloudFormation cannot evaluate them, so break the cycle")
            }
            MergeError::DependencyCycle { cycle } => {
                f.write_str("resources depend on each other in a cycle: ")?;
                for (id, owner) in cycle {
                    write!(f, "{id} ({owner}) -> ")?;
                }
                if let Some((first, _)) = cycle.first() {
                    f.write_str(first)?;
                }
                f.write_str(
                    "; CloudFormation cannot create them in any order, \
                     so remove one of these references or DependsOn entries",
                )
            }
            MergeError::QuotaExceeded { limit, .. } => {
                let (excess, cloudformation) = self.quota_excess().unwrap_or_default();
                let allowed =
                    cloudformation.unwrap_or_else(|| format!("the quota in force allows {limit}"));
                write!(f, "{excess}; {allowed}")
            }
            MergeError::NoResources => f.write_str(
                "the template has no resources, and CloudFormation deploys none without one; \
                 add a construct that creates a resource",
            ),
            MergeError::Render { message } => write!(
                f,
                "could not render the template: {message}; this is a bug in Stackweave, \
                 please report it"
            ),
        }
    }
}
