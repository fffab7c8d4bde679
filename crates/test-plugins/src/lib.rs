//! Paths of the test plugins in `tests/plugins/`, built from source by this crate's build
//! script. Only Stackweave's own tests use this crate (it is a dev-dependency).

include!(concat!(env!("OUT_DIR"), "/paths.rs"));
