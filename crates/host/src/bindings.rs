//! Host bindings generated from the WIT contract, one module per contract version the host
//! loads. The `types` of every version are the same records, so later versions reuse the
//! first version's Rust types and the rest of the host converts one set of types.

#![allow(missing_docs)]

pub mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.1.0",
        world: "construct-plugin",
    });
}

pub mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.2.0",
        world: "construct-plugin",
        with: {
            "stackweave:plugin/types@0.2.0": super::v0_1::stackweave::plugin::types,
        },
    });
}
