//! Write Stackweave construct plugins in Rust.
//!
//! A construct plugin is a WebAssembly component exporting the `construct-plugin` world of
//! `wit/since_v0.2.0/plugin.wit`. This crate hides the component plumbing: implement
//! [`Construct`] for a type, call [`export_construct!`] once, and build the crate as a
//! `cdylib` for `wasm32-wasip2`.
//!
//! What the SDK does for you:
//! - derives the props' JSON Schema, which `describe` reports and the host validates props
//!   against, from your [`Construct::Props`] type with [schemars]: doc comments, serde
//!   attributes and `#[schemars(...)]` attributes say everything the schema says, so it cannot
//!   drift from the code (see [`schema`] for the attributes and the conventions applied);
//! - parses the props JSON into that type, turning a mismatch into an error [`Diagnostic`]
//!   instead of a trap;
//! - serialises the [`Fragment`] you return, checking that its local ids are valid and that it
//!   carries exactly the attributes [`Info::attributes`] promises;
//! - gives you [`cfn`] helpers for CloudFormation intrinsics, so expressions are spelt the same
//!   way in every plugin.
//! - checks what several constructs check the same way once, so users meet one wording:
//!   [`check_arn`].
//!
//! A plugin crate depends on `serde`, `serde_json` and this crate only: [`JsonSchema`] and
//! [`schemars`] are re-exported here, and the derive finds `schemars` through a
//! `use stackweave_plugin::schemars;`.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use serde_json::{Value, json};
//! use stackweave_plugin::{Construct, Context, Diagnostic, Fragment, Info, JsonSchema, cfn};
//! use stackweave_plugin::schemars;
//!
//! /// A queue: the smallest useful construct.
//! pub struct Queue;
//!
//! /// An Amazon SQS queue.
//! #[derive(Deserialize, Serialize, JsonSchema)]
//! #[serde(deny_unknown_fields, rename_all = "camelCase")]
//! pub struct QueueProps {
//!     /// How many seconds a message stays hidden after a consumer receives it.
//!     #[serde(default = "thirty")]
//!     #[schemars(range(max = 43_200), example = 60)]
//!     visibility_timeout: u32,
//!     /// The queue's name (QueueName); omitted, CloudFormation generates one.
//!     #[schemars(with = "Option<String>", length(min = 1, max = 80))]
//!     name: Option<Value>,
//!     /// Whether the queue is first-in-first-out; its name then ends in `.fifo`.
//!     #[serde(default)]
//!     fifo: bool,
//! }
//!
//! fn thirty() -> u32 {
//!     30
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
//!             attributes: vec![("arn", "the queue's ARN"), ("url", "the queue's URL")],
//!         }
//!     }
//!
//!     fn synth(_ctx: &Context, props: QueueProps) -> Result<Fragment, Vec<Diagnostic>> {
//!         // The schema checked each prop; what it cannot say, the plugin checks.
//!         if let (true, Some(Value::String(name))) = (props.fifo, &props.name)
//!             && !name.ends_with(".fifo")
//!         {
//!             return Err(vec![Diagnostic::error(
//!                 "/name",
//!                 format!("the name of a FIFO queue ends in `.fifo`; write `{name}.fifo`"),
//!             )]);
//!         }
//!         let mut properties = serde_json::Map::new();
//!         if let Some(name) = props.name {
//!             properties.insert("QueueName".into(), name);
//!         }
//!         if props.fifo {
//!             properties.insert("FifoQueue".into(), json!(true));
//!         }
//!         properties.insert("VisibilityTimeout".into(), json!(props.visibility_timeout));
//!         Ok(Fragment::new()
//!             .resource("Resource", json!({"Type": "AWS::SQS::Queue", "Properties": properties}))
//!             .attribute("arn", cfn::get_att("Resource", "Arn"))
//!             .attribute("url", cfn::reference("Resource")))
//!     }
//! }
//!
//! // In the plugin crate: `stackweave_plugin::export_construct!(Queue);`
//!
//! // What `describe` reports, and the host validates the props against:
//! let schema = stackweave_plugin::props_schema::<Queue>();
//! assert_eq!(schema["title"], "queue");
//! assert_eq!(schema["description"], "An Amazon SQS queue.");
//! assert_eq!(schema["additionalProperties"], false);
//! let timeout = &schema["properties"]["visibilityTimeout"];
//! assert_eq!((&timeout["default"], &timeout["maximum"]), (&json!(30), &json!(43_200)));
//! assert_eq!(schema["properties"]["name"]["type"], "string");
//! assert_eq!(schema.get("required"), None);
//!
//! let ctx = Context::new("shop", "Orders");
//! let fragment = stackweave_plugin::run::<Queue>(&ctx, r#"{"visibilityTimeout": 60}"#)
//!     .map_err(|d| d[0].message.clone())?;
//! assert_eq!(
//!     fragment.template()["Resources"]["Resource"]["Properties"]["VisibilityTimeout"],
//!     60
//! );
//! let errors = stackweave_plugin::run::<Queue>(&ctx, r#"{"name": "orders", "fifo": true}"#)
//!     .err()
//!     .unwrap_or_default();
//! assert_eq!(errors[0].path.as_deref(), Some("/name"));
//! # Ok::<(), String>(())
//! ```

// The generated export macro names this crate by its public path; this makes that path
// resolve inside the crate too.
extern crate self as stackweave_plugin;

pub mod cfn;
mod checks;
mod compose;
mod construct;
mod diagnostic;
mod fragment;
mod guest;
pub mod schema;
pub mod testing;

pub use checks::check_arn;
pub use compose::{Child, add_child};
pub use construct::{Construct, Context, Info};
pub use diagnostic::{Diagnostic, IntoPointer, Severity, pointer_token};
pub use fragment::{Fragment, is_local_id};
pub use guest::{describe, describe_prebuilt, run, synth};
pub use schema::props_schema;
/// The derive and the attributes props types use; plugin crates need not depend on schemars.
pub use schemars;
pub use schemars::JsonSchema;

/// The bindings wit-bindgen generates for the `construct-plugin` world, version 0.2.0.
///
/// Plugins rarely need these directly: [`export_construct!`] implements the generated `Guest`
/// trait on top of [`Construct`].
#[allow(unsafe_code, missing_docs, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/since_v0.2.0",
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
                    // A constant: the compiler keeps only one arm (see `describe_prebuilt`).
                    match ::core::option_env!(concat!(
                        "STACKWEAVE_PROPS_SCHEMA_",
                        env!("CARGO_PKG_NAME")
                    )) {
                        ::core::option::Option::Some(schema) => {
                            $crate::describe_prebuilt::<$t>(schema)
                        }
                        ::core::option::Option::None => $crate::describe::<$t>(),
                    }
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
