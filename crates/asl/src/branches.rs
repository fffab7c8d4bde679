//! Parallel and Map states: their branches and iterations run one after the other, in
//! order, so a run is deterministic (Step Functions runs them concurrently; with mocks the
//! only observable difference is the order of mock calls, which this fixes as written).
//!
//! Each branch and iteration gets its own variable scope. The first failure fails the
//! state, unless a Map tolerates failures (`ToleratedFailureCount`/`Percentage`): then a
//! failed iteration's place in the result holds its error output, and exceeding the
//! tolerance fails with `States.ExceedToleratedFailureThreshold`.

use serde_json::{Value, json};

use crate::definition::{Machine, MapState, Selector};
use crate::errors::{Failure, names};
use crate::executor::{Halt, MapItem, Runner};
use crate::payload::Sources;
use crate::variables::Scope;

impl Runner<'_> {
    pub(crate) fn run_parallel(
        &mut self,
        branches: &[Machine],
        input: Value,
        scope: &Scope,
    ) -> Result<Value, Halt> {
        let mut results = Vec::with_capacity(branches.len());
        for branch in branches {
            let mut inner = scope.child();
            results.push(self.run_machine(branch, input.clone(), &mut inner, None)?);
        }
        Ok(Value::Array(results))
    }

    /// `items` is what ItemsPath / Items selected; `input` is what `ItemSelector` sees as `$`
    /// (JSONPath: the effective input; JSONata: `$states.input`).
    pub(crate) fn run_map(
        &mut self,
        map: &MapState,
        items: Value,
        input: &Value,
        scope: &Scope,
        context: &Value,
    ) -> Result<Value, Halt> {
        let Value::Array(items) = items else {
            return Err(Failure::runtime(format!(
                "the items of a Map state must be an array, not {}",
                kind_of(&items)
            ))
            .into());
        };
        let tolerant = map.tolerated_count.is_some() || map.tolerated_percentage.is_some();
        let mut results = Vec::with_capacity(items.len());
        let mut failures = 0u64;
        for (index, value) in items.iter().enumerate() {
            let item = MapItem {
                index,
                value: value.clone(),
            };
            let mut item_context = context.clone();
            if let Value::Object(c) = &mut item_context {
                c.insert(
                    "Map".into(),
                    json!({"Item": {"Index": index, "Value": value}}),
                );
            }
            let iteration_input = match &map.item_selector {
                None => value.clone(),
                Some(Selector::JsonPath(t)) => {
                    let sources = Sources {
                        input,
                        context: &item_context,
                        variables: scope,
                    };
                    t.evaluate(&sources, &mut self.rng)?
                }
                Some(Selector::Jsonata(t)) => {
                    let env = self.env(json!({"input": input, "context": item_context}), scope);
                    t.evaluate(&env, input, "ItemSelector")?
                }
            };
            let mut inner = scope.child();
            match self.run_machine(&map.processor, iteration_input, &mut inner, Some(&item)) {
                Ok(v) => results.push(v),
                Err(Halt::Failed(f)) if tolerant && !f.is_terminal() => {
                    failures += 1;
                    results.push(f.output());
                }
                Err(other) => return Err(other),
            }
        }
        if failures > 0 {
            let by_count = map.tolerated_count.is_some_and(|c| failures > c);
            let by_percentage = map
                .tolerated_percentage
                .is_some_and(|p| failures as f64 * 100.0 / items.len() as f64 > p);
            // Either threshold, once passed, fails the state.
            if by_count || by_percentage {
                return Err(Failure::new(
                    names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                    format!("{failures} of {} iterations failed", items.len()),
                )
                .into());
            }
        }
        Ok(Value::Array(results))
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
