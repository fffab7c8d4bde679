//! Prints the construct's props schema, derived from its props type. Stackweave's build
//! runs this natively and embeds the result in the component (see crates/builtin/build.rs).

fn main() {
    println!(
        "{}",
        stackweave_plugin::props_schema::<stackweave_construct_logging::Logging>()
    );
}
