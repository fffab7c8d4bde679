//! A valid component that exports some other world, so the host must refuse it by name.

// wit-bindgen's export macro expands to `unsafe` glue at the call site.
#![allow(unsafe_code)]

#[allow(missing_docs)]
mod bindings {
    wit_bindgen::generate!({ path: "wit", world: "other" });
}

#[allow(dead_code)]
struct Greeter;

impl bindings::exports::test::other::greeter::Guest for Greeter {
    fn greet(name: String) -> String {
        format!("hello, {name}")
    }
}

#[cfg(target_arch = "wasm32")]
bindings::export!(Greeter with_types_in bindings);
