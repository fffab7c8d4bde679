//! Host bindings generated from the WIT contracts, one module per contract version the host
//! loads. The construct contract's `types` are the same records in every version, so later
//! versions reuse the first version's Rust types and the rest of the host converts one set
//! of types. Validators (`wit/validator/`) are a world of their own, with their own types.

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

/// The validator world (`stackweave:validator`), versioned apart from the construct contract.
pub mod validator_v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/validator/since_v0.1.0",
        world: "validator-plugin",
    });
}
