//! Host bindings generated from the WIT contract, one module per contract version the host
//! loads. Only 0.1.0 exists so far.

#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "../../wit/since_v0.1.0",
    world: "construct-plugin",
});
