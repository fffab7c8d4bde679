//! Writing results: the template to stdout, or the template and its manifest into a folder,
//! each file replaced atomically (written beside its final name, then renamed over it).

use std::io::Write;
use std::path::Path;

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

/// Writes [`files`] into `dir`.
pub fn write_all(dir: &Path, files: &[(String, String)]) -> Result<(), Diagnostic> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Diagnostic::error(format!(
            "cannot create the output folder {}: {e}",
            dir.display()
        ))
        .help("check that the path is writable")
    })?;
    // Every file is rendered before any is written, so a failure to render leaves the
    // folder as it was.
    for (name, contents) in files {
        write_atomically(&dir.join(name), contents)?;
    }
    Ok(())
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

/// Writes `contents` to `path` through a temporary file in the same folder, renamed over it.
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), Diagnostic> {
    let fail = |e: std::io::Error| {
        Diagnostic::error(format!("cannot write {}: {e}", path.display()))
            .help("check that the output folder is writable")
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .map_err(fail)?;
    // A temporary file is private (0600); outputs are ordinary files others may read and
    // commit, so they get the replaced file's permissions, or the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        file.as_file().set_permissions(permissions).map_err(fail)?;
    }
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
