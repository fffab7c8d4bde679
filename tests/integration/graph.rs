//! `stackweave graph`: golden diagrams of every example in both languages, each checked by
//! the real tools: Mermaid's own parser (tests/render, installed from the npm registry on
//! first use) and Graphviz's `dot`, which renders each DOT diagram to SVG and PNG.
//!
//! Without Node.js or Graphviz the parser checks say so and pass, so `cargo test` works on
//! a machine with neither; under CI (`CI` set), where `.ci/run` installs both, a missing
//! tool fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::{assert_golden, build_standalone_plugin, repo_root, stackweave};

/// The examples that need no plugin built outside this workspace: (stack, golden stem).
const EXAMPLE: (&str, &str) = (
    "examples/api-to-express/stack.yaml",
    "examples/api-to-express/expected/ApiToExpress",
);

/// `graph` of `stack` (plus `args`) in both languages, compared with `<stem>.graph.mmd` and
/// `<stem>.graph.dot`.
pub fn assert_graph_goldens(stack: &str, stem: &str, args: &[&str]) {
    for (format, extension) in [("mermaid", "mmd"), ("dot", "dot")] {
        let mut all = vec!["graph", stack, "--format", format];
        all.extend_from_slice(args);
        let run = stackweave(&all);
        assert_golden(&format!("{stem}.graph.{extension}"), run.success());
    }
}

#[test]
fn the_reference_example_draws_as_its_goldens() {
    let (stack, stem) = EXAMPLE;
    assert_graph_goldens(stack, stem, &[]);
    let mermaid = stackweave(&["graph", stack]);
    let text = mermaid.success();
    // Mermaid is the default; grouped by construct, the roles inside their constructs.
    assert!(text.starts_with("flowchart"), "{text}");
    assert_contains!(
        text,
        "subgraph g_Workflow[\"Workflow\"]",
        "subgraph g_Workflow_Role[\"Role\"]",
        "StepFunctions::StateMachine",
        "assumed by states.amazonaws.com",
        "r_Workflow -->|Arn| r_WorkflowLogs",
        "r_ApiPathStart -->|RootResourceId| r_Api",
        "-.->|DependsOn| r_ApiMethod",
        "out_ApiEndpoint"
    );
    // A template draws the same boxes and arrows, without construct groups.
    let template = stackweave(&["graph", &format!("{stem}.template.yaml")]);
    assert_contains!(template.success(), "r_Workflow -->|Arn| r_WorkflowLogs");
    assert!(!template.stdout.contains("subgraph"));
}

#[test]
fn the_team_construct_example_draws_as_its_goldens_and_passes_validation() {
    let built = build_standalone_plugin(&repo_root().join("examples/team-construct/express-api"));
    let plugins = built.to_str().expect("a UTF-8 path");
    assert_graph_goldens(
        "examples/team-construct/stack.yaml",
        "examples/team-construct/expected/Orders",
        &["--plugins", plugins],
    );
    let run = stackweave(&[
        "validate",
        "examples/team-construct/stack.yaml",
        "--plugins",
        plugins,
    ]);
    assert_contains!(
        run.success(),
        "0 errors, 0 warnings, 0 undecided, 0 suppressed"
    );
}

#[test]
fn synth_out_writes_the_diagram_beside_the_template() {
    let diagram = repo_root().join(format!("{}.diagram.md", EXAMPLE.1));
    let text = std::fs::read_to_string(&diagram).expect("the committed diagram");
    assert_contains!(text, "# ApiToExpress", "```mermaid\nflowchart");
    // `check::the_reference_example_outputs_are_committed_and_current` proves it is what
    // `synth --out` writes; here, that it shows what `graph` prints.
    let graph = stackweave(&["graph", EXAMPLE.0]);
    assert_contains!(text, graph.success().trim_end());
}

/// Every golden diagram with this extension: the examples', and the graph crate's own
/// (names full of characters both syntaxes must escape).
fn goldens(extension: &str) -> Vec<PathBuf> {
    let mut folders = vec![repo_root().join("crates/graph/tests/fixtures")];
    for example in std::fs::read_dir(repo_root().join("examples")).expect("examples") {
        folders.push(example.expect("an entry").path().join("expected"));
    }
    let mut files = Vec::new();
    for folder in folders {
        for file in std::fs::read_dir(folder).into_iter().flatten().flatten() {
            let path = file.path();
            if path.to_string_lossy().ends_with(extension) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Whether a tool's absence should fail the test rather than skip the check.
pub fn required() -> bool {
    std::env::var_os("CI").is_some()
}

/// `node_modules` of tests/render, installed with `npm ci` (exact versions from its lock
/// file) the first time; `None` when npm is not installed.
pub fn mermaid_tools() -> Option<&'static Path> {
    static TOOLS: OnceLock<Option<PathBuf>> = OnceLock::new();
    TOOLS
        .get_or_init(|| {
            let dir = repo_root().join("tests/render");
            if dir.join("node_modules/mermaid/package.json").is_file() {
                return Some(dir);
            }
            let installed = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir)
                .status();
            match installed {
                Ok(status) if status.success() => Some(dir),
                Ok(status) => panic!("`npm ci --prefix tests/render` failed: {status}"),
                Err(_) => None,
            }
        })
        .as_deref()
}

#[test]
fn every_mermaid_golden_parses_with_mermaid() {
    let files = [goldens(".mmd"), goldens(".diagram.md")].concat();
    assert!(files.len() >= 3, "{files:?}");
    let Some(tools) = mermaid_tools() else {
        assert!(!required(), "npm is needed to check Mermaid diagrams");
        eprintln!("skipped: install Node.js and npm to parse the diagrams with Mermaid");
        return;
    };
    let run = Command::new("node")
        .arg(tools.join("check-mermaid.mjs"))
        .args(&files)
        .output()
        .expect("node runs");
    assert!(
        run.status.success(),
        "Mermaid refused a diagram:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let said = String::from_utf8_lossy(&run.stdout);
    assert_eq!(said.matches("ok ").count(), files.len(), "{said}");
}

#[test]
fn every_dot_golden_renders_with_graphviz() {
    let files = goldens(".dot");
    assert!(files.len() >= 2, "{files:?}");
    if Command::new("dot").arg("-V").output().is_err() {
        assert!(
            !required(),
            "Graphviz's `dot` is needed to check DOT diagrams"
        );
        eprintln!("skipped: install Graphviz (`apt-get install graphviz`) to render the diagrams");
        return;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rendered-diagrams");
    std::fs::create_dir_all(&out).expect("a folder for the pictures");
    for file in &files {
        for format in ["svg", "png"] {
            let name = file.file_name().expect("a name").to_string_lossy();
            let picture = out.join(format!("{name}.{format}"));
            let run = Command::new("dot")
                .arg(format!("-T{format}"))
                .arg(file)
                .arg("-o")
                .arg(&picture)
                .output()
                .expect("dot runs");
            assert!(
                run.status.success() && run.stderr.is_empty(),
                "dot -T{format} {}: {}",
                file.display(),
                String::from_utf8_lossy(&run.stderr)
            );
            let size = std::fs::metadata(&picture).map_or(0, |m| m.len());
            assert!(size > 1000, "{} is only {size} bytes", picture.display());
        }
    }
}
