//! Used by build scripts (never at run time) to compile guest plugin crates of this workspace
//! to `wasm32-wasip2` components and copy them into `OUT_DIR`.
//!
//! The guests are built by a nested `cargo build --release` into `target/wasm-plugins` (or
//! `$CARGO_TARGET_DIR/wasm-plugins`), shared by every profile of the outer build so that
//! `cargo test` and `cargo clippy` do not build them twice. Release mode, because the
//! components are embedded and loaded at run time, where size and speed matter.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, exit};

/// The target guests are built for.
pub const TARGET: &str = "wasm32-wasip2";

/// One built guest.
pub struct Built {
    /// The package name.
    pub package: String,
    /// The component, copied into `OUT_DIR`.
    pub wasm: PathBuf,
}

/// Builds `packages` (workspace members with a `cdylib` target) and returns their components.
/// `watch` are paths relative to the workspace root whose changes must trigger a rebuild.
///
/// Exits the build script with a clear message when anything fails, which is how build
/// scripts report errors.
pub fn build(packages: &[&str], watch: &[&str]) -> Vec<Built> {
    build_with_env(packages, watch, &[])
}

/// [`build`], with environment variables for the guests' compilation (such as the props
/// schemas `export_construct!` embeds).
pub fn build_with_env(packages: &[&str], watch: &[&str], vars: &[(String, String)]) -> Vec<Built> {
    let workspace = workspace_root();
    for path in watch.iter().chain(&["wit", "crates/plugin", "Cargo.lock"]) {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    ensure_target_installed();

    let target_dir = match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("wasm-plugins"),
        None => workspace.join("target/wasm-plugins"),
    };
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--release", "--target", TARGET, "--manifest-path"])
        .arg(workspace.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        // The host's release profile keeps line tables for backtraces; guests are embedded
        // and loaded on every run, so they carry no debug info.
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo")
        // Every run without a warm cache compiles the plugins, in time proportional to
        // their size; optimising for size with whole-program LTO makes them ~15% smaller
        // and costs nothing measurable when they run.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "s")
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        // Flags meant for the host build (and clippy's wrapper) must not reach the guests.
        // Paths are remapped so a plugin's bytes (and so its sha256 in lockfiles and
        // manifests) do not depend on where the repository or the cargo home is.
        .env("CARGO_ENCODED_RUSTFLAGS", remap_flags(&workspace))
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER");
    for package in packages {
        build.arg("-p").arg(package);
    }
    build.envs(vars.iter().map(|(name, value)| (name, value)));
    let status = build
        .status()
        .unwrap_or_else(|e| fail(&format!("cannot run cargo to build plugins: {e}")));
    if !status.success() {
        fail(&format!(
            "building {} for {TARGET} failed (see cargo's output above)",
            packages.join(", ")
        ));
    }

    let out_dir =
        PathBuf::from(env::var_os("OUT_DIR").unwrap_or_else(|| fail("OUT_DIR is not set")));
    packages
        .iter()
        .map(|package| {
            let artifact = format!("{}.wasm", package.replace('-', "_"));
            let built = target_dir.join(TARGET).join("release").join(&artifact);
            let wasm = out_dir.join(&artifact);
            std::fs::copy(&built, &wasm).unwrap_or_else(|e| {
                fail(&format!(
                    "cannot copy {} into OUT_DIR: {e}",
                    built.display()
                ))
            });
            Built {
                package: package.to_string(),
                wasm,
            }
        })
        .collect()
}

/// Runs each (package, example) natively and returns what each prints:
/// how a build script learns something only the guests' own code can compute, such as a
/// plugin's props schema. The runs use a target folder of their own, so these native builds
/// of the plugin crates never collide with the outer build's.
pub fn run_native_examples(examples: &[(&str, String)]) -> Vec<String> {
    let workspace = workspace_root();
    let target_dir = match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("guest-native"),
        None => workspace.join("target/guest-native"),
    };
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    examples
        .iter()
        .map(|(package, example)| {
            let output = Command::new(&cargo)
                .args([
                    "run",
                    "--quiet",
                    "--example",
                    example,
                    "-p",
                    package,
                    "--manifest-path",
                ])
                .arg(workspace.join("Cargo.toml"))
                .env("CARGO_TARGET_DIR", &target_dir)
                .env_remove("RUSTFLAGS")
                .env_remove("CARGO_ENCODED_RUSTFLAGS")
                .env_remove("RUSTC_WORKSPACE_WRAPPER")
                .stderr(std::process::Stdio::inherit())
                .output()
                .unwrap_or_else(|e| fail(&format!("cannot run cargo for {package}: {e}")));
            if !output.status.success() {
                fail(&format!(
                    "running the example `{example}` of {package} failed (see cargo's output above)"
                ));
            }
            String::from_utf8(output.stdout).unwrap_or_else(|_| {
                fail(&format!(
                    "the example `{example}` of {package} printed non-UTF-8"
                ))
            })
        })
        .collect()
}

fn remap_flags(workspace: &Path) -> String {
    let cargo_home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let mut flags = Vec::new();
    if let Some(cargo_home) = cargo_home {
        flags.push(format!(
            "--remap-path-prefix={}=/cargo",
            cargo_home.display()
        ));
    }
    let workspace = workspace
        .canonicalize()
        .unwrap_or_else(|_| workspace.to_path_buf());
    flags.push(format!(
        "--remap-path-prefix={}=/stackweave",
        workspace.display()
    ));
    // CARGO_ENCODED_RUSTFLAGS separates flags with the ASCII unit separator.
    flags.join("\x1f")
}

fn workspace_root() -> PathBuf {
    // Every crate that builds guests sits two levels below the root (`crates/<name>`).
    let manifest_dir =
        env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| fail("CARGO_MANIFEST_DIR is not set"));
    PathBuf::from(manifest_dir).join("../..")
}

/// The target must be installed; with rustup present we install it ourselves and say so.
fn ensure_target_installed() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if sysroot.is_some_and(|root| has_target(&root)) {
        return;
    }
    println!(
        "cargo:warning=the {TARGET} target is missing; installing it with `rustup target add {TARGET}`"
    );
    let installed = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status();
    if !matches!(installed, Ok(status) if status.success()) {
        fail(&format!(
            "the Rust target {TARGET} is not installed and could not be installed automatically; run `rustup target add {TARGET}` and build again"
        ));
    }
}

fn has_target(sysroot: &Path) -> bool {
    sysroot
        .join("lib/rustlib")
        .join(TARGET)
        .join("lib")
        .is_dir()
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    exit(1);
}
