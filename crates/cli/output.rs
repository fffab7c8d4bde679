//! Writing results: the template to stdout, or the template, its diagram and its manifest
//! into a folder, replaced as one set (`stackweave_files::replace_files`).

use std::io::Write;
use std::path::Path;

use stackweave_files::WriteError;
use stackweave_synth::{Diagnostic, Synthesis};
use stackweave_template::Format;

/// Prints the template to stdout.
pub fn print(rendered: &str) -> Result<(), Diagnostic> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Diagnostic::error(format!("cannot write the template to stdout: {e}")))
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
        ("manifest.json".to_owned(), manifest),
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
    let plugins: Vec<serde_json::Value> = synthesis
        .plugins
        .iter()
        .map(|p| serde_json::json!({ "name": p.name, "version": p.version, "origin": p.origin, "sha256": p.sha256 }))
        .collect();
    let manifest = serde_json::json!({
        "stack": synthesis.stack.name,
        "template": template_name,
        "stackweave": env!("CARGO_PKG_VERSION"),
        "plugins": plugins,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&manifest).unwrap_or_default()
    )
}

/// Writes one file whole (temporary file, synced, renamed over `path`).
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), Diagnostic> {
    stackweave_files::write_file_atomically(path, contents.as_bytes())
        .map_err(|e| Diagnostic::error(e.to_string()).help("check that the folder is writable"))
}
