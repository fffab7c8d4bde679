//! The compiled-plugin cache seen from the command line: a warm run prints what a cold one
//! did, damaged entries are compiled again, and a folder others can write is not used.

use std::path::{Path, PathBuf};

use crate::support::{Run, stackweave};

const EXAMPLE: &str = "examples/api-to-express/stack.yaml";

fn synth_with_cache(cache: &Path, more: &[&str]) -> Run {
    let cache = cache.to_str().expect("a UTF-8 temporary path");
    let mut args = vec!["synth", EXAMPLE, "--cache-dir", cache];
    args.extend_from_slice(more);
    stackweave(&args)
}

/// The files in the cache folder with this extension, sorted.
fn files(cache: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(cache)
        .map(|entries| entries.map(|e| e.expect("an entry").path()).collect())
        .unwrap_or_default();
    found.retain(|f| f.extension().is_some_and(|e| e == extension));
    found.sort();
    found
}

#[test]
fn a_warm_run_prints_exactly_what_the_cold_run_did() {
    let cache = tempfile::tempdir().expect("a temporary folder");
    let cold = synth_with_cache(cache.path(), &[]);
    let template = cold.success();
    assert_eq!(
        files(cache.path(), "cwasm").len(),
        4,
        "one entry per standard plugin"
    );
    assert_eq!(files(cache.path(), "check").len(), 4);

    let warm = synth_with_cache(cache.path(), &[]);
    assert_eq!(warm.success(), template);
    assert_eq!(warm.stderr, cold.stderr);
}

#[test]
fn damaged_entries_are_compiled_again_and_replaced() {
    let cache = tempfile::tempdir().expect("a temporary folder");
    let template = synth_with_cache(cache.path(), &[]).success().to_string();
    let compiled = files(cache.path(), "cwasm");
    let sound: Vec<Vec<u8>> = compiled
        .iter()
        .map(|f| std::fs::read(f).expect("an entry"))
        .collect();
    for (file, bytes) in compiled.iter().zip(&sound) {
        // Keep the length, change the code: only the checksum can tell.
        let mut damaged = bytes.clone();
        let middle = damaged.len() / 2;
        damaged[middle] = !damaged[middle];
        std::fs::write(file, damaged).expect("damage an entry");
    }

    let run = synth_with_cache(cache.path(), &[]);
    assert_eq!(run.success(), template);
    assert_eq!(run.stderr, "", "a damaged entry is not the user's problem");
    for (file, bytes) in compiled.iter().zip(&sound) {
        assert_eq!(
            &std::fs::read(file).expect("an entry"),
            bytes,
            "{}",
            file.display()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_cache_folder_others_can_write_is_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let cache = tempfile::tempdir().expect("a temporary folder");
    std::fs::set_permissions(cache.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let run = synth_with_cache(cache.path(), &[]);
    run.success();
    assert_contains!(
        run.stderr,
        "warning: not using the compiled-plugin cache in",
        "other users can write to it (mode 777)",
        "chmod go-w"
    );
    assert!(
        files(cache.path(), "cwasm").is_empty(),
        "nothing was written there"
    );
}

#[test]
fn no_cache_keeps_nothing_even_when_a_folder_is_set() {
    let cache = tempfile::tempdir().expect("a temporary folder");
    let folder = cache.path().join("compiled");
    synth_with_cache(&folder, &["--no-cache"]).success();
    assert!(!folder.exists(), "--no-cache created {}", folder.display());
}

#[test]
fn lock_and_plugins_use_the_cache_too() {
    let cache = tempfile::tempdir().expect("a temporary folder");
    let dir = cache.path().to_str().expect("a UTF-8 temporary path");
    let run = stackweave(&["plugins", "--cache-dir", dir]);
    assert_contains!(run.success(), "api-integration", "express-workflow");
    assert_eq!(files(cache.path(), "cwasm").len(), 4);
}

#[cfg(unix)]
#[test]
fn entries_that_are_pipes_devices_or_huge_are_misses_not_reads() {
    use crate::input_bounds::{TEN_GB, bounded_run, mkfifo, sparse};
    let cache = tempfile::tempdir().expect("a temporary folder");
    let dir = cache.path().to_str().expect("a UTF-8 temporary path");
    let args = ["synth", EXAMPLE, "--cache-dir", dir];
    let template = bounded_run(&crate::support::repo_root(), &args)
        .success()
        .to_string();
    // Each entry's code, then each entry's record, replaced by something a read would
    // never finish (or never start) on.
    for extension in ["cwasm", "check"] {
        let entries = files(cache.path(), extension);
        assert_eq!(entries.len(), 4);
        for (entry, attack) in entries.iter().zip(0..) {
            std::fs::remove_file(entry).expect("remove the entry");
            match attack {
                0 => mkfifo(entry),
                1 => std::os::unix::fs::symlink("/dev/zero", entry).expect("link"),
                2 => std::os::unix::fs::symlink("/dev/urandom", entry).expect("link"),
                _ => sparse(entry, TEN_GB),
            }
        }
        let run = bounded_run(&crate::support::repo_root(), &args);
        assert_eq!(run.success(), template);
        assert_eq!(
            run.stderr, "",
            "a bad entry is a miss, not the user's problem"
        );
        for entry in files(cache.path(), extension) {
            let metadata = std::fs::symlink_metadata(&entry).expect("the entry");
            assert!(
                metadata.is_file() && metadata.len() < 1 << 30,
                "{} was compiled again and replaced",
                entry.display()
            );
        }
    }
}
