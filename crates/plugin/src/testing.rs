//! Helpers for a plugin's native unit tests: run a [`Construct`] on JSON props as the host
//! would, and get the fragment, the errors, or the single error.
//!
//! ```
//! # use stackweave_plugin::{Construct, Context, Diagnostic, Fragment, Info};
//! # struct Nothing;
//! # impl Construct for Nothing {
//! #     type Props = serde_json::Value;
//! #     fn info() -> Info { Info { name: "nothing", version: "0.1.0", description: "", props_schema: serde_json::json!({}), attributes: vec![] } }
//! #     fn synth(_: &Context, _: serde_json::Value) -> Result<Fragment, Vec<Diagnostic>> { Ok(Fragment::new()) }
//! # }
//! use stackweave_plugin::testing;
//! let fragment = testing::ok::<Nothing>("Empty", serde_json::json!({}));
//! assert!(fragment.resources().is_empty());
//! ```

use serde_json::Value;

use crate::{Construct, Context, Diagnostic, Fragment};

/// Runs `C` for a top-level construct `construct_id` of a stack named `test`.
pub fn synth<C: Construct>(construct_id: &str, props: Value) -> Result<Fragment, Vec<Diagnostic>> {
    crate::run::<C>(&Context::new("test", construct_id), &props.to_string())
}

/// The fragment; panics with the diagnostics if synthesis fails.
#[track_caller]
pub fn ok<C: Construct>(construct_id: &str, props: Value) -> Fragment {
    synth::<C>(construct_id, props).unwrap_or_else(|e| panic!("synth failed: {e:?}"))
}

/// The error diagnostics; panics if synthesis succeeds.
#[track_caller]
pub fn errors<C: Construct>(construct_id: &str, props: Value) -> Vec<Diagnostic> {
    match synth::<C>(construct_id, props) {
        Ok(fragment) => panic!("synth succeeded: {fragment:?}"),
        Err(errors) => errors,
    }
}

/// The one error diagnostic, as (JSON Pointer path or "", message); panics unless there is
/// exactly one.
#[track_caller]
pub fn single_error<C: Construct>(construct_id: &str, props: Value) -> (String, String) {
    let mut errors = errors::<C>(construct_id, props);
    assert_eq!(errors.len(), 1, "expected one error: {errors:?}");
    let error = errors.remove(0);
    (error.path.unwrap_or_default(), error.message)
}
