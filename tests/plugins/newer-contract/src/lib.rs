//! Exports `stackweave:plugin/construct@0.3.0`, a contract newer than the host speaks.

// wit-bindgen's export macro expands to `unsafe` glue at the call site.
#![allow(unsafe_code)]

#[allow(missing_docs)]
mod bindings {
    wit_bindgen::generate!({ path: "wit", world: "construct-plugin" });
}

#[allow(dead_code)]
struct Future;

impl bindings::exports::stackweave::plugin::construct::Guest for Future {
    fn describe() -> String {
        "from the future".to_string()
    }
}

#[cfg(target_arch = "wasm32")]
bindings::export!(Future with_types_in bindings);
