//! A [`Source`] for unit tests: a template, the construct and line of some of its
//! resources (as a synthesised stack file would tie them), and the `validation:` settings.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use stackweave_location::Location;

use crate::{Settings, Source};

/// A stack file `stack.yaml` in miniature.
pub(crate) struct FakeSource {
    pub(crate) template: Value,
    /// Logical id -> (construct path, line of the construct).
    pub(crate) constructs: BTreeMap<&'static str, (&'static str, usize)>,
    pub(crate) settings: Settings,
}

impl Source for FakeSource {
    fn template(&self) -> &Value {
        &self.template
    }

    fn path(&self) -> &Path {
        Path::new("stack.yaml")
    }

    fn construct(&self, logical_id: &str) -> Option<String> {
        self.constructs
            .get(logical_id)
            .map(|(path, _)| path.to_string())
    }

    fn location_of_value(&self, logical_id: &str, _pointer: &str) -> Option<Location> {
        self.constructs
            .get(logical_id)
            .map(|&(_, line)| Location { line, column: 3 })
    }

    fn settings(&self) -> Settings {
        self.settings.clone()
    }
}
