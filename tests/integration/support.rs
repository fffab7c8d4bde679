//! Running the binary against stack files written into temporary folders.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Asserts that `haystack` contains every needle, showing the whole text when it does not.
macro_rules! assert_contains {
    ($haystack:expr, $($needle:expr),+ $(,)?) => {{
        let haystack: &str = &$haystack;
        $(
            let needle: &str = &$needle;
            assert!(haystack.contains(needle), "expected to find {needle:?} in:\n{haystack}");
        )+
    }};
}

/// What a run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs `command` to its end.
    pub fn of(mut command: Command) -> Run {
        let output = command.output().expect("the stackweave binary runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts the run failed with exit code 1 and returns its stderr.
    #[track_caller]
    pub fn failure(&self) -> &str {
        assert_eq!(
            self.code, 1,
            "expected exit code 1; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(
            !self.stderr.contains("thread 'main' panicked"),
            "the binary panicked:\n{}",
            self.stderr
        );
        &self.stderr
    }

    /// Asserts the run succeeded and returns its stdout.
    #[track_caller]
    pub fn success(&self) -> &str {
        assert_eq!(self.code, 0, "expected success; stderr:\n{}", self.stderr);
        &self.stdout
    }
}

/// Runs `stackweave` with `args` in `dir`.
pub fn stackweave_in(dir: &Path, args: &[&str]) -> Run {
    Run::of(stackweave_command(dir, args))
}

/// The command that runs `stackweave` with `args` in `dir`, for a test to add to.
pub fn stackweave_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackweave"));
    command
        .args(args)
        .current_dir(dir)
        // One compiled-plugin cache for the whole suite, never the user's own; tests of
        // the cache itself pass `--cache-dir` or `--no-cache`, which take precedence.
        .env("STACKWEAVE_CACHE_DIR", shared_cache_dir());
    command
}

/// Runs `stackweave` with `args` from the repository root.
pub fn stackweave(args: &[&str]) -> Run {
    stackweave_in(&repo_root(), args)
}

/// The compiled-plugin cache the suite shares (concurrent runs may fill it: entries are
/// written atomically).
pub fn shared_cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder holding a stack file and whatever else a test puts beside it.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// A folder with `stack.yaml` holding `stack`.
    pub fn new(stack: &str) -> Project {
        let project = Project {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        project.write("stack.yaml", stack);
        project
    }

    /// A folder holding a copy of the files of the repository's folder `relative` (an
    /// example), to edit.
    pub fn copy_of(relative: &str) -> Project {
        let project = Project {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        let from = repo_root().join(relative);
        for entry in std::fs::read_dir(&from).expect("the folder exists") {
            let path = entry.expect("a folder entry").path();
            if path.is_file() {
                let name = path.file_name().expect("a file name").to_string_lossy();
                project.write(&name, std::fs::read(&path).expect("read a file"));
            }
        }
        project
    }

    /// The text of a file of the project.
    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).expect("read a file")
    }

    /// Replaces `from` (which must be there) by `to` in a file of the project.
    #[track_caller]
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let text = self.read(relative);
        assert!(text.contains(from), "{relative} has no {from:?}:\n{text}");
        self.write(relative, text.replace(from, to));
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        std::fs::write(path, contents).expect("write a file");
    }

    /// Copies a built test plugin into the project.
    pub fn plugin(&self, relative: &str, built: &str) {
        self.write(
            relative,
            std::fs::read(built).expect("the test plugin was built"),
        );
    }

    /// Runs `stackweave synth stack.yaml` plus `args` inside the project.
    pub fn synth(&self, args: &[&str]) -> Run {
        let mut all = vec!["synth", "stack.yaml"];
        all.extend_from_slice(args);
        stackweave_in(self.dir.path(), &all)
    }
}

/// Asserts that `actual` is the golden file at `relative` (from the repository root), or
/// writes it when `STACKWEAVE_BLESS` is set.
#[track_caller]
pub fn assert_golden(relative: &str, actual: &str) {
    let golden = repo_root().join(relative);
    if std::env::var_os("STACKWEAVE_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().expect("a folder")).expect("create the folder");
        std::fs::write(&golden, actual).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&golden)
        .expect("the golden file exists (STACKWEAVE_BLESS=1 writes it)");
    assert!(
        actual == expected,
        "the synthesised template differs from {relative}; if the change is deliberate, run `STACKWEAVE_BLESS=1 cargo test --workspace` and review the diff\n--- synthesised:\n{actual}"
    );
}

/// Builds a plugin crate of its own (not in this workspace) the way its README says,
/// `cargo build --release --target wasm32-wasip2`, and returns the folder holding the
/// `.wasm`.
pub fn build_standalone_plugin(crate_dir: &Path) -> PathBuf {
    standalone_cargo(
        crate_dir,
        &["build", "--release", "--target", "wasm32-wasip2"],
    );
    standalone_target().join("wasm32-wasip2/release")
}

/// Runs a plugin crate's own unit tests natively, the way its README says (`cargo test`),
/// and returns cargo's test report.
pub fn test_standalone_plugin(crate_dir: &Path) -> String {
    standalone_cargo(crate_dir, &["test"])
}

/// One target folder, kept between test runs, serves every plugin crate of its own: they
/// share the SDK's dependencies, which the first build compiles.
fn standalone_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("standalone-plugins")
}

/// Runs `cargo ARGS` in a plugin crate of its own, asserting it succeeds; returns stdout.
fn standalone_cargo(crate_dir: &Path, args: &[&str]) -> String {
    // Cargo would wait for its lock anyway; this keeps the waiting visible and in order.
    static CARGO: Mutex<()> = Mutex::new(());
    let _one_at_a_time = CARGO
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", standalone_target())
        // Flags meant for this repository's build must not reach the plugin's.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "`cargo {}` failed in {}:\n{}",
        args.join(" "),
        crate_dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A moto server (`python3 -m moto.server`) of the test's own, on a free local port, killed
/// when dropped; `stackweave` runs against it through [`Moto::stackweave`], with fake
/// credentials and no config files, so that nothing reaches AWS.
pub struct Moto {
    child: std::process::Child,
    pub port: u16,
}

impl Moto {
    /// Starts the server and waits (at most 30 s) until it answers; `None`, after saying
    /// so, when moto is not installed and the test is not under CI (`CI` set), where its
    /// absence fails the test (`.ci/run` installs it).
    pub fn start() -> Option<Moto> {
        let installed = Command::new("python3")
            .args(["-c", "import moto.server"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !installed {
            assert!(
                std::env::var_os("CI").is_none(),
                "moto is missing: `python3 -m pip install 'moto[server]==5.2.1'`"
            );
            eprintln!(
                "skipped: install moto (`python3 -m pip install 'moto[server]==5.2.1'`) to test deploy"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free local port")
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("moto starts");
        let moto = Moto { child, port };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !moto.answers() {
            assert!(
                std::time::Instant::now() < deadline,
                "moto did not answer on port {port} within 30 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Some(moto)
    }

    /// Whether the server answers an HTTP request (any status).
    fn answers(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let request = "GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        let mut head = [0u8; 12];
        stream.write_all(request.as_bytes()).is_ok()
            && stream.read_exact(&mut head).is_ok()
            && head.starts_with(b"HTTP/")
    }

    /// The endpoint URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs `stackweave` with `args` in `dir` against this server, in `region`.
    pub fn stackweave(&self, dir: &Path, args: &[&str]) -> Run {
        let mut command = stackweave_command(dir, args);
        command
            .env("AWS_ENDPOINT_URL", self.url())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_REGION", "eu-west-1")
            .env("AWS_DEFAULT_REGION", "eu-west-1")
            .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.join("no-aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true");
        Run::of(command)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
