//! `stackweave new`: starting points (a plugin crate, a stack file, an app) written from
//! templates compiled into the binary, never over an existing file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use stackweave_synth::Diagnostic;

use crate::exit;

#[derive(Subcommand)]
pub enum NewCommand {
    /// Write a plugin crate for a team construct, ready to build with
    /// `cargo build --release --target wasm32-wasip2`
    Plugin {
        /// The construct's name, as stack files will write it: lowercase words joined by `-`
        name: String,
        /// The folder to create [default: NAME]
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The Stackweave plugin SDK (`crates/plugin`) to depend on [default: the one this
        /// stackweave was built from]
        #[arg(long, value_name = "DIR")]
        sdk: Option<PathBuf>,
    },
    /// Write a starter stack file
    Stack {
        /// The file to write
        #[arg(default_value = "stack.yaml")]
        path: PathBuf,
        /// The stack's name
        #[arg(long, default_value = "MyStack")]
        name: String,
    },
    /// Write a starter app: `app.yaml` with a `dev` and a `prod` environment, and two stack
    /// files, the second reading the first
    App {
        /// The folder to write into (made when missing)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The app's name [default: the folder's name]
        #[arg(long)]
        name: Option<String>,
    },
}

pub fn run(what: NewCommand) -> ExitCode {
    let written = match &what {
        NewCommand::Plugin { name, dir, sdk } => {
            let dir = dir.clone().unwrap_or_else(|| PathBuf::from(name));
            plugin(name, &dir, sdk.as_deref())
        }
        NewCommand::Stack { path, name } => stack(path, name),
        NewCommand::App { dir, name } => app(dir, name.as_deref()),
    };
    match written {
        Ok(files) => {
            for file in files {
                eprintln!("created {}", file.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => exit::report(&[error]),
    }
}

/// The files of a new plugin crate: path in the crate, template.
const PLUGIN_FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("templates/plugin/Cargo.toml")),
    ("src/lib.rs", include_str!("templates/plugin/lib.rs")),
    ("README.md", include_str!("templates/plugin/README.md")),
    (".gitignore", "/target\n"),
];

const STACK: &str = include_str!("templates/stack.yaml");

/// The files of a new app: path in its folder, template.
const APP_FILES: &[(&str, &str)] = &[
    (
        stackweave_app::APP_FILE_NAME,
        include_str!("templates/app/app.yaml"),
    ),
    ("logs.yaml", include_str!("templates/app/logs.yaml")),
    ("service.yaml", include_str!("templates/app/service.yaml")),
];

/// Where the SDK is: this repository's `crates/plugin`, which a binary built from a clone
/// can point new plugins at.
fn default_sdk() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/plugin");
    path.join("Cargo.toml").is_file().then_some(path)
}

/// Writes a plugin crate for the construct `name` into `dir`.
pub fn plugin(name: &str, dir: &Path, sdk: Option<&Path>) -> Result<Vec<PathBuf>, Diagnostic> {
    check_construct_name(name)?;
    let sdk = match sdk.map(Path::to_path_buf).or_else(default_sdk) {
        // Relative to the new crate, so the crate builds wherever the two are checked out
        // together (a team's repository with the SDK vendored, or a CI clone): the
        // absolute path of the machine that ran `new` would build nowhere else.
        Some(path) => format!(
            "path = {:?}",
            relative_path(dir, &path).display().to_string()
        ),
        None => format!("version = {:?}", env!("CARGO_PKG_VERSION")),
    };
    let crate_name = name.replace('-', "_");
    let type_name: String = name
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{crate}}", &crate_name)
            .replace("{{Type}}", &type_name)
            .replace("{{sdk}}", &sdk)
            .replace("{{version}}", env!("CARGO_PKG_VERSION"))
    };
    let files: Vec<(PathBuf, String)> = PLUGIN_FILES
        .iter()
        .map(|(path, template)| (dir.join(path), fill(template)))
        .collect();
    write_new(&files)
}

/// `to` as seen from the folder `from`, both made absolute first (`../../sdk`).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let (from, to) = (absolute(from), absolute(to));
    let common = from
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut relative: PathBuf = from.components().skip(common).map(|_| "..").collect();
    relative.extend(to.components().skip(common));
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    relative
}

/// Writes a starter stack file named `name` at `path`.
pub fn stack(path: &Path, name: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    if !stackweave_template::is_valid_logical_id(name) {
        return Err(Diagnostic::error(format!(
            "`{name}` cannot be a stack name: use letters and digits, starting with a letter"
        ))
        .help("pass another name with `--name`"));
    }
    write_new(&[(path.to_path_buf(), STACK.replace("{{name}}", name))])
}

/// Writes a starter app into `dir`, named `name` or after the folder.
pub fn app(dir: &Path, name: Option<&str>) -> Result<Vec<PathBuf>, Diagnostic> {
    let name = match name {
        Some(name) => name.to_owned(),
        None => app_name_of(dir).ok_or_else(|| {
            Diagnostic::error(format!(
                "the name of folder {} makes no app name",
                dir.display()
            ))
            .help("pass one with `--name`")
        })?,
    };
    if !stackweave_app::format::is_app_name(&name) {
        return Err(Diagnostic::error(format!(
            "`{name}` cannot be an app name: use letters, digits and `-`, starting with a letter, at most {} characters",
            stackweave_app::format::MAX_APP_NAME
        ))
        .help("pass another name with `--name`"));
    }
    let files: Vec<(PathBuf, String)> = APP_FILES
        .iter()
        .map(|(path, template)| (dir.join(path), template.replace("{{name}}", &name)))
        .collect();
    write_new(&files)
}

/// The name of the folder `dir` as an app name: its letters and digits, any run of other
/// characters as one `-`, from its first letter (`my_service.v2` -> `my-service-v2`).
fn app_name_of(dir: &Path) -> Option<String> {
    // `.` and `..` name no folder themselves; a folder yet to be made is not canonical.
    let path = std::fs::canonicalize(dir)
        .or_else(|_| std::path::absolute(dir))
        .ok()?;
    let folder = path.file_name()?.to_string_lossy();
    let mut name = String::new();
    for c in folder.chars() {
        if c.is_ascii_alphabetic() || (c.is_ascii_digit() && !name.is_empty()) {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    name.truncate(stackweave_app::format::MAX_APP_NAME);
    let name = name.trim_end_matches('-');
    (!name.is_empty()).then(|| name.to_owned())
}

fn check_construct_name(name: &str) -> Result<(), Diagnostic> {
    if stackweave_synth::is_construct_name(name) {
        Ok(())
    } else {
        Err(Diagnostic::error(format!(
            "`{name}` cannot be a construct name: use lowercase words joined by `-`, like `team-jobs`"
        )))
    }
}

/// Writes every file, refusing before writing anything if one exists already.
fn write_new(files: &[(PathBuf, String)]) -> Result<Vec<PathBuf>, Diagnostic> {
    if let Some((existing, _)) = files.iter().find(|(path, _)| path.exists()) {
        return Err(Diagnostic::error(format!(
            "{} exists already; `stackweave new` never overwrites a file",
            existing.display()
        ))
        .help("write somewhere else (`--dir` for a plugin, a file name for a stack, a folder for an app), or move the file away"));
    }
    for (path, contents) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Diagnostic::error(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        std::fs::write(path, contents)
            .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(files.iter().map(|(path, _)| path.clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_is_named_after_its_folder() {
        let name = |dir: &str| app_name_of(Path::new(dir));
        assert_eq!(name("/work/orders").as_deref(), Some("orders"));
        assert_eq!(
            name("/work/my_service.v2").as_deref(),
            Some("my-service-v2")
        );
        assert_eq!(
            name("/work/2024-Billing--API-").as_deref(),
            Some("Billing-API")
        );
        assert_eq!(name("/work/___"), None);
        let long = format!("/work/{}", "a".repeat(100));
        assert_eq!(
            name(&long).map(|n| n.len()),
            Some(stackweave_app::format::MAX_APP_NAME)
        );
    }

    #[test]
    fn the_sdk_is_named_relative_to_the_new_crate() {
        let sdk = relative_path(
            Path::new("/repo/team/bucket"),
            Path::new("/repo/vendor/sdk"),
        );
        assert_eq!(sdk, Path::new("../../vendor/sdk"));
        assert_eq!(
            relative_path(Path::new("/a"), Path::new("/a/b")),
            Path::new("b")
        );
        assert_eq!(
            relative_path(Path::new("/a"), Path::new("/a")),
            Path::new(".")
        );
    }
}
