//! Write Stackweave construct plugins in Rust.
//!
//! A construct plugin is a WebAssembly component exporting the `construct-plugin` world of
//! `wit/since_v0.1.0/plugin.wit`. This crate hides the component plumbing: implement
//! [`Construct`] for a type, call [`export_construct!`] once, and build the crate as a
//! `cdylib` for `wasm32-wasip2`.
//!
//! What the SDK does for you:
//! - parses the props JSON into your [`Construct::Props`] type, turning a mismatch into an
//!   error [`Diagnostic`] instead of a trap;
//! - serialises the [`Fragment`] you return, checking that its local ids are valid and that it
//!   carries exactly the attributes [`Info::attributes`] promises;
//! - gives you [`cfn`] helpers for CloudFormation intrinsics, so expressions are spelt the same
//!   way in every plugin.
//!
//! ```
//! use serde::Deserialize;
//! use serde_json::json;
//! use stackweave_plugin::{cfn, Construct, Context, Diagnostic, Fragment, Info};
//!
//! /// A queue: the smallest useful construct.
//! pub struct Queue;
//!
//! /// The props of [`Queue`].
//! #[derive(Deserialize)]
//! #[serde(deny_unknown_fields, rename_all = "camelCase")]
//! pub struct QueueProps {
//!     /// How long a message stays hidden after a consumer receives it.
//!     #[serde(default)]
//!     visibility_timeout: Option<u32>,
//! }
//!
//! impl Construct for Queue {
//!     type Props = QueueProps;
//!
//!     fn info() -> Info {
//!         Info {
//!             name: "queue",
//!             version: "0.1.0",
//!             description: "an Amazon SQS queue",
//!             props_schema: json!({"type": "object", "additionalProperties": false}),
//!             attributes: vec![("arn", "the queue's ARN"), ("url", "the queue's URL")],
//!         }
//!     }
//!
//!     fn synth(_ctx: &Context, props: QueueProps) -> Result<Fragment, Vec<Diagnostic>> {
//!         let mut properties = serde_json::Map::new();
//!         if let Some(timeout) = props.visibility_timeout {
//!             if timeout > 43_200 {
//!                 return Err(vec![Diagnostic::error(
//!                     "/visibilityTimeout",
//!                     "`visibilityTimeout` is at most 43200 seconds; write a smaller value",
//!                 )]);
//!             }
//!             properties.insert("VisibilityTimeout".into(), json!(timeout));
//!         }
//!         Ok(Fragment::new()
//!             .resource("Resource", json!({"Type": "AWS::SQS::Queue", "Properties": properties}))
//!             .attribute("arn", cfn::get_att("Resource", "Arn"))
//!             .attribute("url", cfn::reference("Resource")))
//!     }
//! }
//!
//! // In the plugin crate: `stackweave_plugin::export_construct!(Queue);`
//!
//! let ctx = Context::new("shop", "Orders");
//! let fragment = stackweave_plugin::run::<Queue>(&ctx, r#"{"visibilityTimeout": 60}"#)
//!     .map_err(|d| d[0].message.clone())?;
//! assert_eq!(
//!     fragment.template()["Resources"]["Resource"]["Properties"]["VisibilityTimeout"],
//!     60
//! );
//! # Ok::<(), String>(())
//! ```

// The generated export macro names this crate by its public path; this makes that path
// resolve inside the crate too.
extern crate self as stackweave_plugin;

pub mod cfn;
mod construct;
mod diagnostic;
mod fragment;
mod guest;
pub mod testing;

pub use construct::{Construct, Context, Info};
pub use diagnostic::{Diagnostic, IntoPointer, Severity, pointer_token};
pub use fragment::{Fragment, is_local_id};
pub use guest::{describe, run, synth};

/// The bindings wit-bindgen generates for the `construct-plugin` world, version 0.1.0.
///
/// Plugins rarely need these directly: [`export_construct!`] implements the generated `Guest`
/// trait on top of [`Construct`].
#[allow(unsafe_code, missing_docs, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/since_v0.1.0",
        world: "construct-plugin",
        pub_export_macro: true,
        export_macro_name: "export_bindings",
        default_bindings_module: "stackweave_plugin::bindings",
        // Plugin crates depend on this SDK only, so the generated code must reach the
        // wit-bindgen runtime through it.
        runtime_path: "stackweave_plugin::__private::wit_bindgen::rt",
    });
}

/// What the macros of this crate expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;
}

/// Exports a [`Construct`] as the plugin's component interface.
///
/// Call it once, at the top level of a plugin crate built as a `cdylib`:
///
/// ```ignore
/// stackweave_plugin::export_construct!(LogGroup);
/// ```
///
/// The component exports exist only when compiling for `wasm32`, so several plugins can still
/// be linked into one native test binary; the `Guest` implementation is compiled everywhere, so
/// native builds catch its type errors.
#[macro_export]
macro_rules! export_construct {
    ($t:ty) => {
        // The generated export functions are `unsafe extern "C"`; the unsafety lives in
        // wit-bindgen's lifting and lowering, not in the plugin.
        #[allow(unsafe_code)]
        const _: () = {
            #[allow(dead_code)]
            struct StackweaveGuest;

            impl $crate::bindings::exports::stackweave::plugin::construct::Guest
                for StackweaveGuest
            {
                fn describe() -> $crate::bindings::stackweave::plugin::types::ConstructInfo {
                    $crate::describe::<$t>()
                }

                fn synth(
                    context: $crate::bindings::stackweave::plugin::types::SynthContext,
                    props: ::std::string::String,
                ) -> ::core::result::Result<
                    $crate::bindings::stackweave::plugin::types::Fragment,
                    ::std::vec::Vec<$crate::bindings::stackweave::plugin::types::Diagnostic>,
                > {
                    $crate::synth::<$t>(context, &props)
                }
            }

            #[cfg(target_arch = "wasm32")]
            $crate::bindings::export_bindings!(StackweaveGuest with_types_in $crate::bindings);
        };
    };
}
