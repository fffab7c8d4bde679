//! Replacing an output folder as a whole.
//!
//! `synth --out DIR` writes a set of files (template, diagram, manifest) that belong
//! together: a reader, a deploy or a `git add` must see the old set or the new set, never a
//! template beside the manifest of another run. Renaming the files one by one cannot give
//! that (a failure or a `kill -9` between two renames leaves a mix), so the new set is
//! built in a staging folder beside `DIR` and swapped with `DIR` in one step:
//!
//! 1. take an exclusive lock on `DIR`'s parent folder, so concurrent runs take turns;
//! 2. remove a staging folder a killed run may have left, then make a fresh one;
//! 3. link into it every file of `DIR` that is not in the set (a team's own files, another
//!    stack's template), and write the set's files, synced to disk;
//! 4. exchange the staging folder and `DIR` atomically (Linux `renameat2(RENAME_EXCHANGE)`),
//!    or rename it to `DIR` when `DIR` does not exist yet, then remove what is now the old
//!    folder.
//!
//! Until step 4 nothing of `DIR` has changed; after it, all of the new set is there. A
//! folder inside `DIR` cannot be carried over this way, so it is refused before anything is
//! written.

use std::fs::{self, File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a run waits for another one writing into the same parent folder. A write takes
/// milliseconds; a run holding the lock this long has hung.
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Why an output folder was not replaced. In every case `DIR` is as it was.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// `DIR` names no folder that could be created (`.`, `..`, `/`).
    #[error("{dir} cannot be replaced as a whole: name a folder of its own")]
    NoName {
        /// The folder asked for.
        dir: PathBuf,
    },
    /// `DIR` exists but is a file (or another non-folder).
    #[error("{dir} exists and is not a folder")]
    NotAFolder {
        /// The folder asked for.
        dir: PathBuf,
    },
    /// `DIR` holds an entry that cannot be carried into the new folder.
    #[error(
        "{entry} is a folder (or another special file) inside the output folder; the output folder may hold only files, because it is replaced as a whole"
    )]
    Nested {
        /// The entry, inside `DIR`.
        entry: PathBuf,
    },
    /// Another process held the lock for longer than [`LOCK_WAIT`].
    #[error(
        "another process has been writing into {parent} for {} s (it holds the lock); try again when it has finished",
        LOCK_WAIT.as_secs()
    )]
    Busy {
        /// The parent folder whose lock is held.
        parent: PathBuf,
    },
    /// Any other failure of the file system.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder being written.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replaces the files of `dir` named in `files` with the given contents, keeping its other
/// files, so that every reader sees either all of the old files or all of the new ones.
/// Output files get mode 0644 (readable by others, as files to commit are).
pub fn replace_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), WriteError> {
    // A symlinked output folder is replaced where it points, keeping the link.
    let dir = match fs::canonicalize(dir) {
        Ok(real) => real,
        Err(_) => dir.to_path_buf(),
    };
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return Err(WriteError::NoName { dir });
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    fs::create_dir_all(parent).map_err(io(parent))?;
    let _lock = lock(parent)?;
    let existing = match fs::symlink_metadata(&dir) {
        Ok(metadata) if metadata.is_dir() => true,
        Ok(_) => return Err(WriteError::NotAFolder { dir }),
        Err(_) => false,
    };
    let mut staging_name = std::ffi::OsString::from(".");
    staging_name.push(name);
    staging_name.push(".stackweave-staging");
    let staging = parent.join(staging_name);
    // Left by a run that was killed: nobody else uses it while we hold the lock.
    if fs::symlink_metadata(&staging).is_ok() {
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    let built = build(&dir, existing, &staging, files);
    if let Err(error) = built {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    if existing {
        swap(&staging, &dir)?;
        // `staging` now holds the old files; removing them can fail without harm (the next
        // run removes them), so the write has succeeded either way.
        let _ = fs::remove_dir_all(&staging);
    } else {
        fs::rename(&staging, &dir).map_err(io(&dir))?;
    }
    // The rename itself is durable once the parent folder is synced.
    File::open(parent)
        .and_then(|f| f.sync_all())
        .map_err(io(parent))?;
    Ok(())
}

/// Fills `staging` with `dir`'s other files and the new set.
fn build(
    dir: &Path,
    existing: bool,
    staging: &Path,
    files: &[(String, Vec<u8>)],
) -> Result<(), WriteError> {
    fs::create_dir(staging).map_err(io(staging))?;
    if existing {
        let permissions = fs::metadata(dir).map_err(io(dir))?.permissions();
        fs::set_permissions(staging, permissions).map_err(io(staging))?;
        for entry in fs::read_dir(dir).map_err(io(dir))? {
            let entry = entry.map_err(io(dir))?;
            let name = entry.file_name();
            if files.iter().any(|(file, _)| name == file.as_str()) {
                continue;
            }
            carry_over(&entry.path(), &staging.join(&name))?;
        }
    }
    for (name, contents) in files {
        let path = staging.join(name);
        let mut file = File::create(&path).map_err(io(&path))?;
        file.write_all(contents)
            .and_then(|()| file.sync_all())
            .map_err(io(&path))?;
        set_readable(&file).map_err(io(&path))?;
    }
    File::open(staging)
        .and_then(|f| f.sync_all())
        .map_err(io(staging))
}

/// Puts `from` (a file of the old folder) at `to` in the new one: a hard link for a file,
/// the same target for a symbolic link.
fn carry_over(from: &Path, to: &Path) -> Result<(), WriteError> {
    let kind = fs::symlink_metadata(from).map_err(io(from))?.file_type();
    if kind.is_symlink() {
        let target = fs::read_link(from).map_err(io(from))?;
        return symlink(&target, to).map_err(io(to));
    }
    if !kind.is_file() {
        return Err(WriteError::Nested {
            entry: from.to_path_buf(),
        });
    }
    // A file system without hard links still lets us copy.
    fs::hard_link(from, to)
        .or_else(|_| fs::copy(from, to).map(drop))
        .map_err(io(to))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    fs::copy(target, link).map(drop)
}

#[cfg(unix)]
fn set_readable(file: &File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_readable(_file: &File) -> std::io::Result<()> {
    Ok(())
}

/// Exchanges two folders in one step, so that `dir` is never missing or mixed.
#[cfg(target_os = "linux")]
fn swap(staging: &Path, dir: &Path) -> Result<(), WriteError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, staging, CWD, dir, RenameFlags::EXCHANGE)
        .map_err(|errno| std::io::Error::from_raw_os_error(errno.raw_os_error()))
        .map_err(io(dir))
}

/// Elsewhere there is no atomic exchange: `dir` is missing for the moment between two
/// renames (a reader sees no folder, still never a mix).
#[cfg(not(target_os = "linux"))]
fn swap(staging: &Path, dir: &Path) -> Result<(), WriteError> {
    let mut old_name = staging.as_os_str().to_owned();
    old_name.push("-old");
    let old = PathBuf::from(old_name);
    let _ = fs::remove_dir_all(&old);
    fs::rename(dir, &old).map_err(io(dir))?;
    fs::rename(staging, dir).map_err(io(dir))?;
    fs::rename(&old, staging).map_err(io(staging))
}

/// Holds `parent`'s exclusive lock, waiting up to [`LOCK_WAIT`] for it. The lock is on the
/// parent because `DIR` itself is replaced (a lock on it would be lost with it); the kernel
/// drops it when the process ends, however it ends.
fn lock(parent: &Path) -> Result<File, WriteError> {
    let handle = File::open(parent).map_err(io(parent))?;
    let start = Instant::now();
    loop {
        match handle.try_lock() {
            Ok(()) => return Ok(handle),
            Err(TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(WriteError::Busy {
                    parent: parent.to_path_buf(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(parent)(e)),
        }
    }
}

/// Writes one file whole: through a temporary file in the same folder, synced, then
/// renamed over `path`. For files that stand alone (`stackweave.lock`); a set of files that
/// belong together goes through [`replace_files`].
pub fn write_file_atomically(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io(path))?;
    file.write_all(contents)
        .and_then(|()| file.as_file().sync_all())
        .map_err(io(path))?;
    // A temporary file is private (0600); these are files others read and commit.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| fs::Permissions::from_mode(0o644));
        file.as_file()
            .set_permissions(permissions)
            .map_err(io(path))?;
    }
    file.persist(path).map_err(|e| io(path)(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(template: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("S.template.yaml".into(), template.as_bytes().to_vec()),
            (
                "manifest.json".into(),
                format!("{{\"for\":\"{template}\"}}").into_bytes(),
            ),
        ]
    }

    fn read(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = fs::read_dir(dir)
            .expect("the folder exists")
            .map(|e| {
                let e = e.expect("an entry");
                let text = fs::read_to_string(e.path()).expect("a file");
                (e.file_name().to_string_lossy().into_owned(), text)
            })
            .collect();
        files.sort();
        files
    }

    fn hidden_leftovers(parent: &Path) -> Vec<String> {
        fs::read_dir(parent)
            .expect("the parent exists")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.starts_with('.'))
            .collect()
    }

    #[test]
    fn a_new_folder_appears_whole_and_an_old_one_is_replaced_keeping_other_files() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let out = root.path().join("out");
        replace_files(&out, &set("one")).expect("written");
        assert_eq!(read(&out).len(), 2);
        fs::write(out.join("notes.txt"), "mine").expect("a team's own file");
        replace_files(&out, &set("two")).expect("replaced");
        assert_eq!(
            read(&out),
            vec![
                ("S.template.yaml".to_string(), "two".to_string()),
                ("manifest.json".to_string(), "{\"for\":\"two\"}".to_string()),
                ("notes.txt".to_string(), "mine".to_string()),
            ]
        );
        assert!(hidden_leftovers(root.path()).is_empty());
    }

    #[test]
    fn a_failure_while_building_the_new_set_leaves_the_folder_as_it_was() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let out = root.path().join("out");
        replace_files(&out, &set("old")).expect("written");
        let before = read(&out);
        // The second file cannot be created (its folder does not exist) after the first
        // one has been written into the staging folder.
        let mut broken = set("new");
        broken.push(("missing/dir.json".into(), b"{}".to_vec()));
        let error = replace_files(&out, &broken).expect_err("cannot be written");
        assert!(matches!(error, WriteError::Io { .. }), "{error}");
        assert_eq!(read(&out), before);
        assert!(hidden_leftovers(root.path()).is_empty());
        // A fresh folder that fails is never created.
        let fresh = root.path().join("fresh");
        replace_files(&fresh, &broken).expect_err("cannot be written");
        assert!(!fresh.exists());
    }

    #[test]
    fn a_folder_inside_the_output_folder_is_refused_before_anything_changes() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let out = root.path().join("out");
        replace_files(&out, &set("old")).expect("written");
        fs::create_dir(out.join("nested")).expect("a nested folder");
        let error = replace_files(&out, &set("new")).expect_err("refused");
        assert!(matches!(error, WriteError::Nested { .. }), "{error}");
        assert_eq!(
            fs::read_to_string(out.join("S.template.yaml"))
                .ok()
                .as_deref(),
            Some("old")
        );
    }

    #[test]
    fn a_staging_folder_left_by_a_killed_run_is_cleared() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let out = root.path().join("out");
        let leftover = root.path().join(".out.stackweave-staging");
        fs::create_dir(&leftover).expect("a leftover");
        fs::write(leftover.join("S.template.yaml"), "half").expect("a half-written file");
        replace_files(&out, &set("new")).expect("written");
        assert_eq!(
            fs::read_to_string(out.join("S.template.yaml"))
                .ok()
                .as_deref(),
            Some("new")
        );
        assert!(hidden_leftovers(root.path()).is_empty());
    }

    #[test]
    fn a_file_where_the_folder_should_be_is_refused() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let out = root.path().join("out");
        fs::write(&out, "a file").expect("a file");
        let error = replace_files(&out, &set("new")).expect_err("refused");
        assert!(matches!(error, WriteError::NotAFolder { .. }), "{error}");
        assert_eq!(fs::read_to_string(&out).ok().as_deref(), Some("a file"));
    }
}
