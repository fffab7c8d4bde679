//! Workflow variables (`Assign`, `$name`): a stack of scopes.
//!
//! The top-level states share one scope; each Parallel branch and Map iteration gets a scope
//! of its own that can read the outer ones and whose assignments never leak out (the
//! developer guide's "Passing data between states with variables"). New values take effect
//! when the assigning state finishes, so every expression in a state sees the values from
//! when the state was entered.

use serde_json::{Map, Value};

/// The variables visible to one state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    frames: Vec<Map<String, Value>>,
}

impl Scope {
    /// The top-level scope.
    pub(crate) fn root() -> Scope {
        Scope {
            frames: vec![Map::new()],
        }
    }

    /// A new inner scope (a branch or an iteration) that can read this one.
    pub(crate) fn child(&self) -> Scope {
        let mut frames = self.frames.clone();
        frames.push(Map::new());
        Scope { frames }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.frames.iter().rev().find_map(|f| f.get(name))
    }

    /// Assigns in the innermost scope, or where the name already lives when it is an outer
    /// one's (the guide forbids inner states from shadowing outer names, so this keeps one
    /// value per name).
    pub(crate) fn assign(&mut self, values: Map<String, Value>) {
        for (name, value) in values {
            let len = self.frames.len();
            let frame = self.frames[..len.saturating_sub(1)]
                .iter()
                .position(|f| f.contains_key(&name))
                .unwrap_or(len.saturating_sub(1));
            if let Some(f) = self.frames.get_mut(frame) {
                f.insert(name, value);
            }
        }
    }

    /// Every visible variable, inner names winning.
    pub(crate) fn flatten(&self) -> Map<String, Value> {
        let mut out = Map::new();
        for frame in &self.frames {
            for (k, v) in frame {
                out.insert(k.clone(), v.clone());
            }
        }
        out
    }
}
