use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use stackweave_test_plugins::{ECHO, IMPOSTOR};

use super::*;
use crate::{Limits, Plugin, Runtime};

fn plugin_bytes(path: &str) -> (Vec<u8>, [u8; 32]) {
    let bytes = fs::read(path).expect("the test plugin was built");
    let sha256 = Sha256::digest(&bytes).into();
    (bytes, sha256)
}

/// Loads a plugin through a fresh runtime (a fresh engine, as a new process would have).
fn load(cache_dir: &Path, path: &str) -> Plugin {
    let cache = CompileCache::open(cache_dir).expect("a private temporary folder");
    let runtime = Runtime::new(Limits::default())
        .expect("an engine")
        .with_cache(cache);
    let (bytes, sha256) = plugin_bytes(path);
    Plugin::load(&runtime, &bytes, &sha256).expect("the test plugin loads")
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("the cache folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    files
}

/// The compiled code and check record of the one entry in `dir`.
fn only_entry(dir: &Path) -> (PathBuf, PathBuf) {
    let files = entries(dir);
    let extensions: Vec<_> = files.iter().filter_map(|f| f.extension()).collect();
    assert_eq!(
        extensions,
        ["check", "cwasm"],
        "expected one entry and nothing else"
    );
    assert_eq!(files[0].file_stem(), files[1].file_stem());
    (files[1].clone(), files[0].clone())
}

#[test]
fn a_plugin_is_compiled_once_then_loaded_from_the_cache() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let first = load(dir.path(), ECHO);
    assert_eq!(first.compiled(), Compiled::Fresh);
    only_entry(dir.path());

    let second = load(dir.path(), ECHO);
    assert_eq!(second.compiled(), Compiled::FromCache);
    assert_eq!(second.info(), first.info());
}

#[test]
fn a_damaged_entry_is_compiled_again_and_replaced() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    load(dir.path(), ECHO);
    let (code, check) = only_entry(dir.path());
    let sound_code = fs::read(&code).expect("the compiled code");
    let sound_check = fs::read(&check).expect("the check record");

    let flip = |bytes: &[u8], at: usize| {
        let mut flipped = bytes.to_vec();
        flipped[at] ^= 0x40;
        flipped
    };
    let damages: Vec<(&Path, Vec<u8>)> = vec![
        (&code, flip(&sound_code, sound_code.len() / 2)),
        (&code, sound_code[..sound_code.len() / 3].to_vec()),
        (&code, Vec::new()),
        (&check, flip(&sound_check, sound_check.len() - 1)),
        (&check, sound_check[..20].to_vec()),
    ];
    for (file, damaged) in damages {
        fs::write(file, &damaged).expect("damage the entry");
        let plugin = load(dir.path(), ECHO);
        assert_eq!(plugin.compiled(), Compiled::Fresh, "{}", file.display());
        assert_eq!(plugin.info().name, "echo");
        assert_eq!(
            fs::read(&code).expect("the code"),
            sound_code,
            "code replaced"
        );
        assert_eq!(
            fs::read(&check).expect("the record"),
            sound_check,
            "record replaced"
        );
        assert_eq!(load(dir.path(), ECHO).compiled(), Compiled::FromCache);
    }
    // A missing record (a writer stopped between the two files) is an incomplete entry.
    fs::remove_file(&check).expect("remove the record");
    assert_eq!(load(dir.path(), ECHO).compiled(), Compiled::Fresh);
}

#[test]
fn another_plugins_entry_under_this_key_is_not_trusted() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    load(dir.path(), ECHO);
    let (echo_code, echo_check) = only_entry(dir.path());
    let impostor_dir = tempfile::tempdir().expect("a temporary folder");
    load(impostor_dir.path(), IMPOSTOR);
    let (impostor_code, impostor_check) = only_entry(impostor_dir.path());

    // A sound entry of another plugin, renamed to this plugin's key: its record names the
    // other key, and the code alone does not match this key's record.
    fs::copy(&impostor_code, &echo_code).expect("swap the code");
    assert_eq!(load(dir.path(), ECHO).compiled(), Compiled::Fresh);
    fs::copy(&impostor_code, &echo_code).expect("swap the code");
    fs::copy(&impostor_check, &echo_check).expect("swap the record");
    let plugin = load(dir.path(), ECHO);
    assert_eq!(plugin.compiled(), Compiled::Fresh);
    assert_eq!(plugin.info().name, "echo");
}

#[test]
fn writing_leaves_no_temporary_files_and_entries_are_private() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let cache_dir = dir.path().join("nested").join("cache");
    load(&cache_dir, ECHO);
    load(&cache_dir, IMPOSTOR);
    let files = entries(&cache_dir);
    assert_eq!(files.len(), 4, "two entries of two files each: {files:?}");
    let kinds = files.iter().filter_map(|f| f.extension()?.to_str());
    assert!(kinds.into_iter().all(|e| e == "cwasm" || e == "check"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&cache_dir), 0o700);
        for file in &files {
            assert_eq!(mode(file), 0o600);
        }
    }
}

#[test]
fn concurrent_writers_of_one_entry_leave_a_sound_entry() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| load(dir.path(), ECHO));
        }
    });
    only_entry(dir.path());
    assert_eq!(load(dir.path(), ECHO).compiled(), Compiled::FromCache);
}

#[cfg(unix)]
#[test]
fn a_folder_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).expect("chmod");
    let error = CompileCache::open(dir.path()).expect_err("a shared folder is refused");
    let message = error.to_string();
    assert!(
        message.contains("other users can write to it (mode 777)"),
        "{message}"
    );
    assert!(message.contains("chmod go-w"), "{message}");
}

#[test]
fn a_file_is_not_a_cache_folder() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("cache");
    fs::write(&file, "not a folder").expect("write a file");
    let error = CompileCache::open(&file).expect_err("a file is refused");
    assert!(error.to_string().contains("--cache-dir"), "{error}");
}

#[test]
fn the_key_covers_the_plugin_and_the_engine() {
    let engine = Engine::default();
    let other_settings = {
        let mut config = wasmtime::Config::new();
        config.consume_fuel(true);
        Engine::new(&config).expect("an engine")
    };
    let a = entry_key(&engine, &[1; 32]);
    assert_eq!(a, entry_key(&engine.clone(), &[1; 32]));
    assert_ne!(a, entry_key(&engine, &[2; 32]));
    assert_ne!(a, entry_key(&other_settings, &[1; 32]));
}
