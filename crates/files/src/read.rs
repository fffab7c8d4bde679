//! Bounded reads of regular files.
//!
//! Every file Stackweave reads comes from a path a user (or an attacker writing a stack file)
//! chose: `/dev/zero` or `/dev/urandom` never end, a named pipe blocks its reader until a
//! writer comes, and a regular file may be sparse and claim gigabytes. So a read first asks
//! what the path is without opening it, then opens it in a way that cannot block, asks again
//! of the open file (the path may have been swapped in between), checks the size, and reads
//! at most one byte more than allowed (a file may grow while it is read).

use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

/// Why an input file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path is not a regular file (a directory, a device, a named pipe, a socket).
    #[error("it is {kind}, not a regular file")]
    NotRegular {
        /// What the path is instead.
        kind: FileKind,
    },
    /// The file holds more bytes than the caller allows.
    #[error("it is {actual} bytes, more than the {limit} allowed")]
    TooLarge {
        /// The most bytes the caller allows.
        limit: u64,
        /// The file's size, or (for a file that grew while it was read) the bytes read
        /// before the read stopped, one more than `limit`.
        actual: u64,
    },
    /// The file could not be opened or read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ReadError {
    /// Whether nothing exists at the path (the usual mistake, which callers word apart).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// What a path that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A folder.
    Directory,
    /// A named pipe: reading it waits for a writer.
    Fifo,
    /// A character device such as `/dev/zero`: reading it may never end.
    CharDevice,
    /// A block device such as a disk.
    BlockDevice,
    /// A Unix domain socket.
    Socket,
    /// Anything else the platform has.
    Other,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a named pipe (FIFO)",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Socket => "a socket",
            FileKind::Other => "a special file",
        })
    }
}

fn kind_of(metadata: &Metadata) -> FileKind {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return FileKind::Directory;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return FileKind::Fifo;
        }
        if file_type.is_char_device() {
            return FileKind::CharDevice;
        }
        if file_type.is_block_device() {
            return FileKind::BlockDevice;
        }
        if file_type.is_socket() {
            return FileKind::Socket;
        }
    }
    FileKind::Other
}

/// Refuses anything but a regular file of at most `limit` bytes.
fn check(metadata: &Metadata, limit: u64) -> Result<(), ReadError> {
    if !metadata.is_file() {
        return Err(ReadError::NotRegular {
            kind: kind_of(metadata),
        });
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            limit,
            actual: metadata.len(),
        });
    }
    Ok(())
}

/// Opens `path` for reading without waiting: a named pipe without a writer opens at once
/// (and is then refused) instead of blocking until one comes.
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // On a regular file O_NONBLOCK changes nothing, so the flag can stay set for the read.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Opens `path`, provided it is a regular file of at most `limit` bytes, for a reader that
/// streams it; the reader yields at most `limit + 1` bytes, so a caller that counts what it
/// read can tell a file that grew past the limit.
pub fn open_bounded(path: &Path, limit: u64) -> Result<std::io::Take<File>, ReadError> {
    // Asking the path first keeps devices from being opened at all (opening some has side
    // effects); asking the open file again closes the gap in which the path could change.
    check(&std::fs::metadata(path)?, limit)?;
    let file = open_without_blocking(path)?;
    check(&file.metadata()?, limit)?;
    Ok(file.take(limit.saturating_add(1)))
}

/// Reads `path` whole, provided it is a regular file of at most `limit` bytes.
///
/// Never blocks on a named pipe, never reads a device, and never holds more than
/// `limit + 1` bytes, even when the file grows while it is read.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut reader = open_bounded(path, limit)?;
    let expected = reader.get_ref().metadata().map_or(0, |m| m.len());
    // The size was checked, so this allocation is within the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    reader.read_to_end(&mut bytes)?;
    let read = bytes.len() as u64;
    if read > limit {
        return Err(ReadError::TooLarge {
            limit,
            actual: read,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_small_regular_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "hello").unwrap();
        assert_eq!(read_bounded(&path, 5).unwrap(), b"hello");
        assert_eq!(read_bounded(&path, 100).unwrap(), b"hello");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "hello!").unwrap();
        let error = read_bounded(&path, 5).unwrap_err();
        assert!(
            matches!(
                error,
                ReadError::TooLarge {
                    limit: 5,
                    actual: 6
                }
            ),
            "{error:?}"
        );
        assert_eq!(error.to_string(), "it is 6 bytes, more than the 5 allowed");
    }

    #[test]
    fn a_sparse_huge_file_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.bin");
        File::create(&path).unwrap().set_len(10 << 30).unwrap();
        let started = std::time::Instant::now();
        let error = read_bounded(&path, 1 << 20).unwrap_err();
        assert!(
            matches!(error, ReadError::TooLarge { actual, .. } if actual == 10 << 30),
            "{error:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn a_directory_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_bounded(dir.path(), 100).unwrap_err();
        assert!(
            matches!(
                error,
                ReadError::NotRegular {
                    kind: FileKind::Directory
                }
            ),
            "{error:?}"
        );
        assert_eq!(error.to_string(), "it is a directory, not a regular file");
    }

    #[test]
    fn a_missing_file_is_an_io_error_that_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_bounded(&dir.path().join("nope"), 100).unwrap_err();
        assert!(error.is_not_found(), "{error:?}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_links_to_them_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("random.bin");
        std::os::unix::fs::symlink("/dev/urandom", &link).unwrap();
        for path in [Path::new("/dev/zero"), &link] {
            let error = read_bounded(path, u64::MAX).unwrap_err();
            assert!(
                matches!(
                    error,
                    ReadError::NotRegular {
                        kind: FileKind::CharDevice
                    }
                ),
                "{}: {error:?}",
                path.display()
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let error = read_bounded(&fifo, 100).unwrap_err();
        assert!(
            matches!(
                error,
                ReadError::NotRegular {
                    kind: FileKind::Fifo
                }
            ),
            "{error:?}"
        );
        // And when the path's first look is skipped, opening still does not block.
        let opened = open_without_blocking(&fifo).unwrap();
        assert!(matches!(
            check(&opened.metadata().unwrap(), 100),
            Err(ReadError::NotRegular {
                kind: FileKind::Fifo
            })
        ));
    }

    #[test]
    fn the_streaming_reader_stops_one_byte_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "abc").unwrap();
        let mut all = Vec::new();
        open_bounded(&path, 3)
            .unwrap()
            .read_to_end(&mut all)
            .unwrap();
        assert_eq!(all, b"abc");
        assert!(matches!(
            open_bounded(&path, 2),
            Err(ReadError::TooLarge {
                limit: 2,
                actual: 3
            })
        ));
    }
}
