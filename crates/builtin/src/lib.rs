//! The standard Stackweave construct plugins (every crate under `plugins/`: `api-integration`,
//! `express-workflow`, `iam-role`, `logging`), embedded in the binary so that `stackweave`
//! needs no plugin path after `cargo install`.
//!
//! The bytes are built from source in `plugins/` by this crate's build script; no `.wasm` is
//! ever committed. This crate only carries bytes: loading and checking them is the host's job.

/// One embedded plugin component.
#[derive(Clone, Copy, Debug)]
pub struct Embedded {
    /// The construct name, which is also its folder under `plugins/`.
    pub name: &'static str,
    /// The component's bytes.
    pub bytes: &'static [u8],
    /// The sha256 of `bytes`, computed when they were embedded.
    pub sha256: [u8; 32],
}

include!(concat!(env!("OUT_DIR"), "/standard.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_plugin_is_an_embedded_component() {
        assert_eq!(STANDARD.len(), 4);
        for plugin in STANDARD {
            // A component's preamble: magic, version 0x0d, layer 1.
            assert_eq!(
                &plugin.bytes[..8],
                b"\0asm\x0d\x00\x01\x00",
                "{} is not a component",
                plugin.name
            );
        }
    }

    /// The build derives each props schema natively, from the props type the component is
    /// compiled from, and the component embeds it as a constant instead of deriving it.
    #[test]
    fn each_component_carries_the_schema_its_build_derived() {
        for (plugin, schema) in STANDARD.iter().zip(DERIVED_SCHEMAS) {
            assert!(schema.starts_with('{') && schema.contains("\"properties\""));
            let found = plugin
                .bytes
                .windows(schema.len())
                .any(|window| window == schema.as_bytes());
            assert!(found, "{} does not embed its derived schema", plugin.name);
        }
    }

    #[test]
    fn the_embedded_digests_are_the_bytes_digests() {
        use sha2::{Digest, Sha256};
        for plugin in STANDARD {
            let actual: [u8; 32] = Sha256::digest(plugin.bytes).into();
            assert_eq!(plugin.sha256, actual, "{}", plugin.name);
        }
    }
}
