//! An environment of the app file: its region and account, the tags and parameter values
//! of its stacks, its values, and the stacks it places elsewhere.
//!
//! Stack names here (under `parameters` and `stacks`) are checked for their shape and for
//! the length of the stack name they make; whether a stack file of that name exists is
//! synthesis's business, which reads the stack files.

use serde_yaml::Value as Yaml;
use stackweave_location::{At, Entries, ReadFields, get, join_pointer, shortened, yaml_to_json};

use crate::format::{
    BUCKET_PATTERN, ENVIRONMENT_KEYS, ENVIRONMENT_NAME_PATTERN, IDENTIFIER_PATTERN,
    MAX_ENVIRONMENT_NAME, MAX_IDENTIFIER, MAX_STACK_NAME, MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS,
    PLACEMENT_KEYS, REGION_PATTERN, REQUIRED_ENVIRONMENT_KEYS, RESERVED_TAG_PREFIX,
    STACK_NAME_PATTERN, is_account, is_bucket, is_environment_name, is_identifier, is_region,
    is_stack_name, stack_name,
};
use crate::model::{Environment, Placement, Value};
use crate::parse::{Analyser, DIALECT};
use crate::values::check_value_kinds;

impl Analyser<'_> {
    /// `environments:`: a non-empty mapping of environment name to environment.
    pub(crate) fn environments(&mut self, value: &Yaml, app: &str) -> Vec<Environment> {
        let help =
            "describe each environment as `dev: { region: eu-west-1 }` under `environments:`";
        let entries = self.section(value, "/environments", "`environments`", help);
        if entries.is_empty() && matches!(value, Yaml::Null | Yaml::Mapping(_)) {
            let message = "`environments` is empty".to_owned();
            self.problems.push("/environments", At::Key, message, help);
        }
        let environments: Vec<Environment> = entries
            .into_iter()
            .filter_map(|(name, body)| self.environment(name, body, app))
            .collect();
        check_value_kinds(&environments, &mut self.problems);
        environments
    }

    fn environment(&mut self, name: String, body: &Yaml, app: &str) -> Option<Environment> {
        let pointer = join_pointer("/environments", &name);
        let what = format!("environment `{}`", shortened(&name));
        if !is_environment_name(&name) {
            self.problems.push(
                &pointer,
                At::Key,
                format!("environment name `{}` is not valid", shortened(&name)),
                format!(
                    "an environment name is the middle part of every stack name: match \
                     `{ENVIRONMENT_NAME_PATTERN}` (a letter, then letters, digits and hyphens), \
                     {MAX_ENVIRONMENT_NAME} characters at most"
                ),
            );
        }
        if body.is_null() {
            self.require(&Vec::new(), &pointer, REQUIRED_ENVIRONMENT_KEYS, &what);
            return None;
        }
        let help = "give the environment at least a region, e.g. `region: eu-west-1`";
        let entries = self.entries(body, &pointer, &what, help)?;
        self.check_keys(&entries, &pointer, ENVIRONMENT_KEYS, &what);
        self.require(&entries, &pointer, REQUIRED_ENVIRONMENT_KEYS, &what);
        let field = |key: &str| (get(&entries, key), join_pointer(&pointer, key));
        let (region, region_at) = field("region");
        let region = region.and_then(|v| self.region(v, &region_at));
        let (account, account_at) = field("account");
        let account = account.and_then(|v| self.account(v, &account_at));
        let (bucket, bucket_at) = field("bucket");
        let bucket = bucket.and_then(|v| self.bucket(v, &bucket_at));
        let (tags, tags_at) = field("tags");
        let tags = tags.map(|v| self.tags(v, &tags_at));
        let stack = |stack: &str| stack_name(app, &name, stack);
        let (parameters, parameters_at) = field("parameters");
        let parameters = parameters.map(|v| self.parameters(v, &parameters_at, &stack));
        let (values, values_at) = field("values");
        let values = values.map(|v| self.values(v, &values_at));
        let (placements, placements_at) = field("stacks");
        let placements = placements.map(|v| self.placements(v, &placements_at, &stack));
        Some(Environment {
            // A missing or invalid region is reported; the environment is still kept so
            // that its values are compared with the other environments'.
            region: region.unwrap_or_default(),
            account,
            bucket,
            tags: tags.unwrap_or_default(),
            parameters: parameters.unwrap_or_default(),
            values: values.unwrap_or_default(),
            placements: placements.unwrap_or_default(),
            name,
            pointer,
        })
    }

    /// The entries of an optional mapping; `null` (a key with nothing under it) is empty.
    fn section<'v>(
        &mut self,
        value: &'v Yaml,
        pointer: &str,
        what: &str,
        help: &str,
    ) -> Entries<'v> {
        if value.is_null() {
            return Vec::new();
        }
        self.entries(value, pointer, what, help).unwrap_or_default()
    }

    fn bucket(&mut self, value: &Yaml, pointer: &str) -> Option<String> {
        let bucket = self.string(value, pointer, "`bucket`")?;
        if is_bucket(&bucket) {
            return Some(bucket);
        }
        self.problems.push(
            pointer,
            At::Value,
            format!("`{}` is not an S3 bucket name", shortened(&bucket)),
            format!(
                "write the name of an existing bucket, e.g. `my-artifacts-bucket` (`{BUCKET_PATTERN}`)"
            ),
        );
        None
    }

    fn region(&mut self, value: &Yaml, pointer: &str) -> Option<String> {
        let region = self.string(value, pointer, "`region`")?;
        if is_region(&region) {
            return Some(region);
        }
        self.problems.push(
            pointer,
            At::Value,
            format!("`{}` is not an AWS region", shortened(&region)),
            format!("write a region such as `eu-west-1` or `us-gov-west-1` (`{REGION_PATTERN}`)"),
        );
        None
    }

    fn account(&mut self, value: &Yaml, pointer: &str) -> Option<String> {
        let message = match value {
            Yaml::String(account) if is_account(account) => return Some(account.clone()),
            Yaml::String(account) => {
                format!("account id `{}` is not 12 digits", shortened(account))
            }
            Yaml::Number(_) => {
                let help = format!(
                    "quote it: `account: \"{}\"` (an account id is text; YAML would drop leading zeros)",
                    shortened(self.written(pointer))
                );
                let message = "`account` must be a string, not a number".to_owned();
                self.problems.push(pointer, At::Value, message, help);
                return None;
            }
            _ => "`account` must be a string".to_owned(),
        };
        let help = "write the 12-digit AWS account id in quotes, e.g. `account: \"111111111111\"`";
        self.wrong_type(value, pointer, &message, help);
        None
    }

    /// Stack tags: at most [`MAX_TAGS`], keys and values within AWS's bounds, as text.
    fn tags(&mut self, value: &Yaml, pointer: &str) -> Vec<(String, String)> {
        let help = "write tags as `key: value` entries under `tags:`";
        let entries = self.section(value, pointer, "`tags`", help);
        if entries.len() > MAX_TAGS {
            self.problems.push(
                pointer,
                At::Key,
                format!(
                    "`tags` has {} tags; CloudFormation allows {MAX_TAGS} on a stack",
                    entries.len()
                ),
                "remove some tags",
            );
        }
        let mut tags = Vec::new();
        for (key, value) in entries {
            let at = join_pointer(pointer, &key);
            let length = key.chars().count();
            let reserved = key.get(..RESERVED_TAG_PREFIX.len());
            if length == 0 || length > MAX_TAG_KEY {
                self.problems.push(
                    &at,
                    At::Key,
                    format!("tag key `{}` is {length} characters long", shortened(&key)),
                    format!("a tag key has 1 to {MAX_TAG_KEY} characters"),
                );
            } else if reserved.is_some_and(|p| p.eq_ignore_ascii_case(RESERVED_TAG_PREFIX)) {
                self.problems.push(
                    &at,
                    At::Key,
                    format!(
                        "tag key `{}` starts with `{RESERVED_TAG_PREFIX}`",
                        shortened(&key)
                    ),
                    "AWS keeps the `aws:` prefix for its own tags; rename the tag",
                );
            }
            let what = format!("tag `{}`", shortened(&key));
            let Some(text) = self.scalar_text(value, &at, &what, help) else {
                continue;
            };
            let length = text.chars().count();
            if length > MAX_TAG_VALUE {
                self.problems.push(
                    &at,
                    At::Value,
                    format!("the value of {what} is {length} characters long"),
                    format!("a tag value has at most {MAX_TAG_VALUE} characters"),
                );
            }
            tags.push((key, text));
        }
        tags
    }

    /// Parameter values per stack; a list becomes its items joined with `,`, which is how
    /// CloudFormation takes a `CommaDelimitedList` or `List<...>`.
    fn parameters(
        &mut self,
        value: &Yaml,
        pointer: &str,
        stack_name: &dyn Fn(&str) -> String,
    ) -> Vec<(String, Vec<(String, String)>)> {
        let help = "give parameter values per stack, e.g. `parameters: { Api: { AlarmEmail: dev@example.com } }`";
        let mut parameters = Vec::new();
        for (stack, body) in self.section(value, pointer, "`parameters`", help) {
            let at = join_pointer(pointer, &stack);
            self.stack_key(&stack, &at, stack_name);
            let what = format!("the parameters of stack `{}`", shortened(&stack));
            let mut values = Vec::new();
            for (name, value) in self.section(body, &at, &what, help) {
                let here = join_pointer(&at, &name);
                self.identifier(
                    &name,
                    &here,
                    "parameter name",
                    "stacks declare parameters under `parameters:`",
                );
                if let Some(text) = self.parameter_value(value, &here, &name) {
                    values.push((name, text));
                }
            }
            parameters.push((stack, values));
        }
        parameters
    }

    fn parameter_value(&mut self, value: &Yaml, pointer: &str, name: &str) -> Option<String> {
        let what = format!("parameter `{}`", shortened(name));
        let help = "write a string, number or boolean, or a list of them for a list parameter";
        let Yaml::Sequence(items) = value else {
            return self.scalar_text(value, pointer, &what, help);
        };
        let mut parts = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let at = join_pointer(pointer, &index.to_string());
            let Some(text) = self.scalar_text(item, &at, &format!("an item of {what}"), help)
            else {
                continue;
            };
            if text.contains(',') {
                self.problems.push(
                    &at,
                    At::Value,
                    format!("an item of {what} contains a comma"),
                    "the items are passed joined with commas, so CloudFormation would split this one; remove the comma",
                );
            }
            parts.push(text);
        }
        Some(parts.join(","))
    }

    /// Values stack files read: any YAML but null, converted to JSON.
    fn values(&mut self, value: &Yaml, pointer: &str) -> Vec<Value> {
        let help =
            "write values as `name: value` entries under `values:`, e.g. `logRetentionDays: 7`";
        let mut values = Vec::new();
        for (name, item) in self.section(value, pointer, "`values`", help) {
            let at = join_pointer(pointer, &name);
            self.identifier(
                &name,
                &at,
                "value name",
                "stack files read a value as `${value:name}`",
            );
            if item.is_null() {
                self.problems.push(
                    &at,
                    At::Value,
                    format!("value `{}` is null", shortened(&name)),
                    "give it a value, or remove it; a stack that reads a value its environment lacks is reported when it is synthesised",
                );
                continue;
            }
            match yaml_to_json(item, &at, &DIALECT) {
                Ok(json) => values.push(Value {
                    name,
                    value: json,
                    pointer: at,
                }),
                Err((inner, message, help)) => self.problems.push(&inner, At::Value, message, help),
            }
        }
        values
    }

    /// Stacks placed in another region or account than their environment's.
    fn placements(
        &mut self,
        value: &Yaml,
        pointer: &str,
        stack_name: &dyn Fn(&str) -> String,
    ) -> Vec<(String, Placement)> {
        let help = "place a stack elsewhere as `Api: { region: us-east-1 }` under `stacks:`";
        let mut placements = Vec::new();
        for (stack, body) in self.section(value, pointer, "`stacks`", help) {
            let at = join_pointer(pointer, &stack);
            self.stack_key(&stack, &at, stack_name);
            let what = format!("the placement of stack `{}`", shortened(&stack));
            let entries = if body.is_null() {
                Vec::new()
            } else {
                let Some(entries) = self.entries(body, &at, &what, help) else {
                    continue;
                };
                entries
            };
            if entries.is_empty() {
                self.problems.push(
                    &at,
                    At::Key,
                    format!("{what} is empty"),
                    "give it `region`, `account` or `outputsRole`, or remove it",
                );
            }
            self.check_keys(&entries, &at, PLACEMENT_KEYS, &what);
            let field = |key: &str| (get(&entries, key), join_pointer(&at, key));
            let (region, region_at) = field("region");
            let (account, account_at) = field("account");
            let (role, role_at) = field("outputsRole");
            let placement = Placement {
                region: region.and_then(|v| self.region(v, &region_at)),
                account: account.and_then(|v| self.account(v, &account_at)),
                outputs_role: role.and_then(|v| self.role(v, &role_at)),
                pointer: at,
            };
            placements.push((stack, placement));
        }
        placements
    }

    fn role(&mut self, value: &Yaml, pointer: &str) -> Option<String> {
        let role = self.string(value, pointer, "`outputsRole`")?;
        if role.starts_with("arn:") && role.contains(":role/") {
            return Some(role);
        }
        self.problems.push(
            pointer,
            At::Value,
            format!("`outputsRole` `{}` is not the ARN of an IAM role", shortened(&role)),
            "write the ARN of a role in the stack's account, e.g. `arn:aws:iam::222222222222:role/read-outputs`",
        );
        None
    }

    /// Reports a stack name (a key under `parameters` or `stacks`) that is not an
    /// identifier or would make too long a CloudFormation stack name.
    fn stack_key(&mut self, stack: &str, pointer: &str, stack_name: &dyn Fn(&str) -> String) {
        if !is_stack_name(stack) {
            self.problems.push(
                pointer,
                At::Key,
                format!("stack name `{}` is not valid", shortened(stack)),
                format!(
                    "write the `name:` of one of the app's stack files (`{STACK_NAME_PATTERN}`: a letter, then letters, digits and hyphens)"
                ),
            );
            return;
        }
        let full = stack_name(stack);
        let length = full.chars().count();
        if length > MAX_STACK_NAME {
            self.problems.push(
                pointer,
                At::Key,
                format!("stack name `{}` would be {length} characters long", shortened(&full)),
                format!("CloudFormation allows {MAX_STACK_NAME}; shorten the stack's, the environment's or the app's name"),
            );
        }
    }

    /// Reports `name` unless it matches [`IDENTIFIER_PATTERN`] within [`MAX_IDENTIFIER`].
    fn identifier(&mut self, name: &str, pointer: &str, what: &str, why: &str) {
        if !is_identifier(name) || name.len() > MAX_IDENTIFIER {
            self.problems.push(
                pointer,
                At::Key,
                format!("{what} `{}` is not valid", shortened(name)),
                format!(
                    "{why}: match `{IDENTIFIER_PATTERN}` (a letter, then letters and digits), {MAX_IDENTIFIER} characters at most"
                ),
            );
        }
    }

    /// A string, number or boolean as its text (CloudFormation takes tags and parameter
    /// values as strings); anything else is reported.
    fn scalar_text(
        &mut self,
        value: &Yaml,
        pointer: &str,
        what: &str,
        help: &str,
    ) -> Option<String> {
        match value {
            Yaml::String(s) => Some(s.clone()),
            Yaml::Number(n) => Some(n.to_string()),
            Yaml::Bool(b) => Some(b.to_string()),
            _ => {
                let message = format!("{what} must be a string, number or boolean");
                self.wrong_type(value, pointer, &message, help);
                None
            }
        }
    }
}
