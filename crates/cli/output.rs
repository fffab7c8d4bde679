//! Writing results: the template to stdout, or the template, its diagram and its manifest
//! into a folder, replaced as one set (`stackweave_files::replace_files`).

use std::io::Write;
use std::path::Path;

use stackweave_files::WriteError;
use stackweave_synth::{Diagnostic, PluginUse, Synthesis};
use stackweave_template::Format;

/// Prints the template to stdout.
pub fn print(rendered: &str) -> Result<(), Diagnostic> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Diagnostic::error(format!("cannot write the template to stdout: {e}")))
}

/// The manifest's file name in an output folder.
pub const MANIFEST: &str = "manifest.json";

/// The synthesis's template as text, within its quotas.
pub fn render(synthesis: &Synthesis, format: Format) -> Result<String, Diagnostic> {
    synthesis
        .template
        .render(format, &synthesis.quotas)
        .map_err(|error| stackweave_synth::merge_error(&error).at(&synthesis.stack.path, None))
}

/// The files `synth --out` writes, by name: `<StackName>.template.<ext>`,
/// `<StackName>.diagram.md` (the architecture as a Mermaid diagram, reviewed beside the
/// template) and `manifest.json`. `synth --check` compares the same list with what is on
/// disk.
pub fn files(synthesis: &Synthesis, format: Format, rendered: &str) -> Vec<(String, String)> {
    let extension = match format {
        Format::Yaml => "yaml",
        Format::Json => "json",
    };
    let template_name = format!("{}.template.{extension}", synthesis.stack.name);
    let graph = stackweave_graph::Graph::from_template(
        synthesis.template.value(),
        &crate::input::grouping(&synthesis.template),
    );
    let diagram = stackweave_graph::markdown(&synthesis.stack.name, &graph);
    let manifest = manifest(synthesis, &template_name);
    vec![
        (template_name, rendered.to_owned()),
        (format!("{}.diagram.md", synthesis.stack.name), diagram),
        (MANIFEST.to_owned(), manifest),
    ]
}

/// Writes [`files`] into `dir`, replacing the previous set as a whole
/// (`stackweave_files::replace_files`): a reader sees the old files or the new ones.
pub fn write_all(dir: &Path, files: &[(String, String)]) -> Result<(), Diagnostic> {
    let files: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(name, contents)| (name.clone(), contents.as_bytes().to_vec()))
        .collect();
    stackweave_files::replace_files(dir, &files).map_err(|e| {
        let help = match e {
            WriteError::Nested { .. }
            | WriteError::NoName { .. }
            | WriteError::NotAFolder { .. } => {
                "give `--out` a folder of its own (stackweave replaces it as a whole)"
            }
            WriteError::Busy { .. } => "wait for the other run to finish, then run this again",
            WriteError::Io { .. } => "check that the output folder and its parent are writable",
        };
        Diagnostic::error(format!(
            "cannot write the output folder {}: {e}",
            dir.display()
        ))
        .help(help)
    })
}

fn manifest(synthesis: &Synthesis, template_name: &str) -> String {
    pretty(&serde_json::json!({
        "stack": synthesis.stack.name,
        "template": template_name,
        "stackweave": env!("CARGO_PKG_VERSION"),
        "plugins": plugin_entries(&synthesis.plugins),
    }))
}

/// The plugins a manifest lists.
pub fn plugin_entries(plugins: &[PluginUse]) -> Vec<serde_json::Value> {
    plugins
        .iter()
        .map(|p| serde_json::json!({ "name": p.name, "version": p.version, "origin": p.origin, "sha256": p.sha256 }))
        .collect()
}

/// JSON as written into output folders: pretty, ending in a newline.
pub fn pretty(value: &serde_json::Value) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    )
}

/// Writes one file whole (temporary file, synced, renamed over `path`).
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), Diagnostic> {
    stackweave_files::write_file_atomically(path, contents.as_bytes())
        .map_err(|e| Diagnostic::error(e.to_string()).help("check that the folder is writable"))
}
