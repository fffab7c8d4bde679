//! The compiled-plugin cache: Cranelift output kept on disk so a plugin is compiled once per
//! machine, not once per run.
//!
//! An entry is named by a key over everything that decides the compiled code: the plugin's
//! sha256 and the engine's compatibility hash (which covers the exact wasmtime version, the
//! target CPU's features and every compilation setting). It is two files: `KEY.cwasm`,
//! exactly what wasmtime serialised (so it can be memory-mapped rather than copied), and
//! `KEY.check`, holding the key, the length and a checksum (XXH3-128) of key and compiled
//! bytes. A missing, truncated, damaged or renamed entry fails the check and is compiled
//! afresh; wasmtime then checks its own version and settings again on deserialisation.
//! The checksum guards against accidents, not attackers: anyone who can write into the
//! folder could forge any digest, which is why the folder must be private (below); a fast
//! checksum keeps a warm run's cost close to mapping the files. Each file is written to a
//! temporary file and renamed into place, so a reader sees a whole file or none, and
//! concurrent runs never corrupt one (compilation is deterministic, so two writers of one
//! key write the same bytes).
//!
//! Loading compiled code is trusting it (it runs natively), so the folder must be private:
//! on Unix it is created `0700`, and a folder owned by another user or writable by others
//! is refused.

use std::fs;
use std::hash::Hasher;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;
use xxhash_rust::xxh3::Xxh3;

/// The first bytes of every `.check` file; the digit is the entry format's version.
const MAGIC: &[u8; 16] = b"stackweave-chk-1";

/// The size of a `.check` record: magic, key, length and checksum.
const RECORD_BYTES: u64 = (MAGIC.len() + 32 + 8 + 16) as u64;

/// The largest compiled plugin read back. The standard plugins compile to a few MiB; an
/// entry over 1 GiB is not worth checking (hashing it would cost more than compiling most
/// plugins), so it is a miss and the plugin is compiled again.
const MAX_COMPILED_BYTES: u64 = 1 << 30;

/// A folder of compiled plugins, checked to be private to the user.
#[derive(Clone, Debug)]
pub struct CompileCache {
    dir: PathBuf,
}

/// Why a cache folder cannot be used. The run goes on without a cache; the caller shows
/// this as a warning.
#[derive(Debug, thiserror::Error)]
#[error("not using the compiled-plugin cache in {}: {reason}", .dir.display())]
pub struct CacheUnusable {
    /// The folder.
    pub dir: PathBuf,
    /// What is wrong and what to do.
    pub reason: String,
}

/// Whether a plugin came out of the cache or was compiled in this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compiled {
    /// Loaded from a cache entry.
    FromCache,
    /// Compiled now (no cache, no entry, or an entry that failed its checks); the cache, if
    /// any, now holds it.
    Fresh,
}

impl CompileCache {
    /// Opens `dir`, creating it (privately) if it does not exist.
    pub fn open(dir: &Path) -> Result<CompileCache, CacheUnusable> {
        let unusable = |reason: String| CacheUnusable {
            dir: dir.to_path_buf(),
            reason,
        };
        create_private_dir(dir).map_err(|e| {
            unusable(format!(
                "cannot create it ({e}); choose another folder with `--cache-dir`"
            ))
        })?;
        check_private(dir).map_err(unusable)?;
        Ok(CompileCache {
            dir: dir.to_path_buf(),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry for a plugin with this sha256 compiled by `engine`, if there is a sound one.
    pub(crate) fn get(&self, engine: &Engine, plugin_sha256: &[u8; 32]) -> Option<Component> {
        let key = entry_key(engine, plugin_sha256);
        let (compiled, check) = self.entry_paths(&key);
        // An entry that is not a regular file within its bound is a miss, never a read
        // that blocks (a named pipe) or never ends (a link to `/dev/zero`).
        let expected = stackweave_files::read_bounded(&check, RECORD_BYTES).ok()?;
        let code = stackweave_files::open_bounded(&compiled, MAX_COMPILED_BYTES).ok()?;
        if expected != check_record(&key, code).ok()? {
            return None;
        }
        // SAFETY: the file holds what `Component::serialize` wrote for this key (its length
        // and checksum match the record written with it) in a folder only this user can
        // write, where files are replaced by rename and never changed in place; so it is
        // wasmtime's own output, and wasmtime still refuses it if its version or settings
        // differ from `engine`'s.
        #[allow(unsafe_code)]
        let component = unsafe { Component::deserialize_file(engine, &compiled) };
        component.ok()
    }

    /// Stores `component`, compiled by `engine` from a plugin with this sha256. Failing to
    /// write costs only speed, so errors are returned for the caller to ignore or show.
    pub(crate) fn put(
        &self,
        engine: &Engine,
        plugin_sha256: &[u8; 32],
        component: &Component,
    ) -> std::io::Result<()> {
        let key = entry_key(engine, plugin_sha256);
        let (compiled_path, check_path) = self.entry_paths(&key);
        let compiled = component.serialize().map_err(std::io::Error::other)?;
        write_atomically(&compiled_path, &compiled)?;
        // The record last: until it is in place the entry is incomplete, and ignored.
        write_atomically(&check_path, &check_record(&key, compiled.as_slice())?)
    }

    /// The compiled code's file and its check record's.
    fn entry_paths(&self, key: &[u8; 32]) -> (PathBuf, PathBuf) {
        let stem = hex(key);
        (
            self.dir.join(format!("{stem}.cwasm")),
            self.dir.join(format!("{stem}.check")),
        )
    }
}

/// The key of a plugin's entry: sha256 over the plugin's sha256 and the engine's
/// compatibility hash, fed through a hasher that keeps every byte (not a 64-bit summary).
fn entry_key(engine: &Engine, plugin_sha256: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256Hasher(Sha256::new());
    hasher.0.update(b"stackweave compiled plugin\0");
    hasher.0.update(plugin_sha256);
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut hasher);
    hasher.0.finalize().into()
}

/// Adapts sha256 to `std::hash::Hasher`, so `Hash` values (such as the engine's
/// compatibility hash) can be digested stably.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        // Only the full digest is ever used.
        0
    }
}

/// The check record of compiled code under `key`: magic, key, length and the checksum of
/// key and code. The code is streamed through a small buffer, so checking a file costs no
/// memory the size of the file.
fn check_record(key: &[u8; 32], mut code: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    let mut hasher = Xxh3::new();
    hasher.update(key);
    let mut buffer = vec![0; 64 << 10];
    let mut length: u64 = 0;
    loop {
        let read = code.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        length += read as u64;
    }
    let mut record = Vec::with_capacity(RECORD_BYTES as usize);
    record.extend_from_slice(MAGIC);
    record.extend_from_slice(key);
    record.extend_from_slice(&length.to_le_bytes());
    record.extend_from_slice(&hasher.digest128().to_le_bytes());
    Ok(record)
}

/// Writes `contents` to a new file beside `path` and renames it over `path`.
fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let temporary = path.with_extension(format!(
        "tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = private_file(&temporary)?;
        file.write_all(contents)?;
        drop(file);
        fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

/// On Unix: the folder is ours and nobody else can write into it. (Elsewhere the default
/// folder is in the user's own profile.)
#[cfg(unix)]
fn check_private(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let metadata = fs::metadata(dir).map_err(|e| format!("cannot read it ({e})"))?;
    if !metadata.is_dir() {
        return Err("it is not a folder; choose another with `--cache-dir`".into());
    }
    let me = rustix::process::getuid().as_raw();
    if metadata.uid() != me {
        return Err(format!(
            "it belongs to user {}, not to you (user {me}); compiled code is trusted, so the cache must be your own: choose another folder with `--cache-dir`",
            metadata.uid()
        ));
    }
    if metadata.mode() & 0o022 != 0 {
        return Err(format!(
            "other users can write to it (mode {:o}); compiled code is trusted, so run `chmod go-w {}` or choose another folder with `--cache-dir`",
            metadata.mode() & 0o777,
            dir.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(dir: &Path) -> Result<(), String> {
    match fs::metadata(dir) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => Err("it is not a folder; choose another with `--cache-dir`".into()),
        Err(e) => Err(format!("cannot read it ({e})")),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
