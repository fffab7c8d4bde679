//! `stackweave plugins`: every plugin a run can see, one line each; and
//! `stackweave plugins show NAME`: one plugin in full (its props from its schema, its
//! attributes, or a validator's rules), so a team construct can be used without a page of
//! docs of its own.

use std::process::ExitCode;

use stackweave_synth::{Diagnostic, LoadedPlugin, LoadedValidator, Registry, props_of};

use crate::exit::report;
use crate::flags::{self, CacheArgs, PluginArgs};

#[derive(clap::Args)]
pub(crate) struct PluginsArgs {
    #[command(subcommand)]
    show: Option<PluginsCommand>,
    #[command(flatten)]
    plugins: PluginArgs,
    #[command(flatten)]
    cache: CacheArgs,
}

#[derive(clap::Subcommand)]
enum PluginsCommand {
    /// Describe one plugin: its props (name, type, required, default, description) and
    /// attributes, or a validator's rules
    Show(ShowArgs),
}

#[derive(clap::Args)]
struct ShowArgs {
    /// The plugin's name, as a stack file's `plugin:` writes it
    name: String,
    #[command(flatten)]
    plugins: PluginArgs,
    #[command(flatten)]
    cache: CacheArgs,
}

pub(crate) fn run(args: PluginsArgs) -> ExitCode {
    let result = match args.show {
        Some(PluginsCommand::Show(show)) => registry(&show.plugins, &show.cache)
            .and_then(|mut registry| describe(&mut registry, &show.name).map_err(|e| vec![e])),
        None => registry(&args.plugins, &args.cache).and_then(|mut registry| list(&mut registry)),
    };
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(errors) => report(&errors),
    }
}

fn registry(plugins: &PluginArgs, cache: &CacheArgs) -> Result<Registry, Vec<Diagnostic>> {
    let options = flags::loading_options(plugins, cache);
    stackweave_synth::new_registry(&options, &[]).map_err(|failure| failure.diagnostics)
}

/// One tab-separated line per plugin, constructs then validators.
fn list(registry: &mut Registry) -> Result<String, Vec<Diagnostic>> {
    let mut text = String::from("NAME\tKIND\tVERSION\tORIGIN\tSHA256\tDESCRIPTION\n");
    for p in registry.all().map_err(|e| vec![e])? {
        let info = p.info();
        text.push_str(&format!(
            "{}\tconstruct\t{}\t{}\t{}\t{}\n",
            info.name, info.version, p.origin, p.sha256, info.description
        ));
    }
    for v in registry.validators() {
        let info = v.info();
        text.push_str(&format!(
            "{}\tvalidator\t{}\t{}\t{}\t{}\n",
            info.name, info.version, v.origin, v.sha256, info.description
        ));
    }
    Ok(text)
}

fn describe(registry: &mut Registry, name: &str) -> Result<String, Diagnostic> {
    if let Some(validator) = registry.validator_named(name) {
        return Ok(describe_validator(validator));
    }
    registry.construct_named(name).map(describe_construct)
}

fn describe_construct(plugin: &LoadedPlugin) -> String {
    let info = plugin.info();
    let mut text = format!(
        "{} {} (construct, {})\n{}\n  sha256: {}\n",
        info.name, info.version, plugin.origin, info.description, plugin.sha256
    );
    if info.composes {
        text.push_str("  may create child constructs\n");
    }
    text.push_str("\nprops:\n");
    let props = props_of(&info.props_schema);
    if props.is_empty() {
        text.push_str("  (none)\n");
    }
    for prop in props {
        let mut line = format!("  {}: {}", prop.name, prop.kind);
        if prop.required {
            line.push_str(", required");
        }
        if let Some(default) = &prop.default {
            line.push_str(&format!(", default {default}"));
        }
        text.push_str(&line);
        text.push('\n');
        if !prop.description.is_empty() {
            text.push_str(&format!("      {}\n", prop.description));
        }
    }
    text.push_str("\nattributes (`${Id}` is the first, `${Id.name}` any):\n");
    for attribute in &info.attributes {
        text.push_str(&format!("  {}: {}\n", attribute.name, attribute.doc));
    }
    text
}

fn describe_validator(validator: &LoadedValidator) -> String {
    let info = validator.info();
    let mut text = format!(
        "{} {} (validator, {})\n{}\n  sha256: {}\n\nrules:\n",
        info.name, info.version, validator.origin, info.description, validator.sha256
    );
    for rule in &info.rules {
        text.push_str(&format!(
            "  {} ({:?}): {}\n      why: {}\n      fix: {}\n",
            rule.id, rule.severity, rule.title, rule.rationale, rule.fix
        ));
    }
    text
}
