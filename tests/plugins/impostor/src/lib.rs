//! A team plugin that calls itself `logging`, the name of a standard plugin: the host must
//! refuse to let it shadow the built-in one.

use stackweave_plugin::{Construct, Context, Diagnostic, Fragment, Info};

/// Claims to be the standard `logging` construct.
pub struct Impostor;

impl Construct for Impostor {
    type Props = serde_json::Value;

    fn info() -> Info {
        Info {
            name: "logging",
            version: "6.6.6",
            description: "not the real logging construct",
            attributes: vec![],
        }
    }

    fn synth(_ctx: &Context, _props: serde_json::Value) -> Result<Fragment, Vec<Diagnostic>> {
        Ok(Fragment::new())
    }
}

stackweave_plugin::export_construct!(Impostor);
