//! Reading the files cloudwright takes as input (blueprints and lock files): regular files only,
//! never more than [`MAX_BYTES`], and UTF-8, so a FIFO, a device or a huge file cannot hang the
//! tool or eat its memory, and a file in another encoding is refused at the byte that is wrong.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The most an input file may hold. The largest real blueprint is a few kilobytes; 4 MiB leaves
/// ample room and keeps the worst parse well under a second.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Why an input file could not be read.
#[derive(Debug)]
pub enum Problem {
    NotFound,
    /// A directory, FIFO, socket or device: what it is.
    NotRegular(&'static str),
    /// Larger than [`MAX_BYTES`].
    TooLarge,
    /// A symbolic link to a file outside the link's own directory: where it points.
    LinksOutside(std::path::PathBuf),
    /// Not UTF-8: where the first wrong byte is, and what the file seems to be instead.
    NotUtf8 {
        line: usize,
        column: usize,
        problem: String,
    },
    Io(io::Error),
}

impl Problem {
    /// What went wrong and what would be right, for a diagnostic: `(message, help)`.
    pub fn describe(&self, what: &str) -> (String, String) {
        match self {
            Problem::NotFound => (
                format!("the {what} does not exist"),
                "check the path".into(),
            ),
            Problem::NotRegular(kind) => (
                format!("the {what} is {kind}, not a regular file"),
                format!("name a regular file; cloudwright reads a {what} only from one"),
            ),
            Problem::TooLarge => (
                format!(
                    "the {what} is larger than {} MiB, the most cloudwright reads",
                    MAX_BYTES / (1024 * 1024)
                ),
                format!(
                    "a {what} has no business being this large: check that it is the right file"
                ),
            ),
            Problem::NotUtf8 { problem, .. } => (
                format!("the {what} {problem}"),
                "save it as UTF-8 text".into(),
            ),
            Problem::Io(e) => (
                format!("cannot read the {what}: {e}"),
                "check its permissions".into(),
            ),
            Problem::LinksOutside(target) => (
                format!(
                    "the {what} is a symbolic link to {}, outside its own directory, which cloudwright does not follow",
                    target.display()
                ),
                format!("copy the {what} into this directory, or link to one inside it"),
            ),
        }
    }

    /// Where the problem is in the file: the first wrong byte, or the start.
    pub fn position(&self) -> (usize, usize) {
        match self {
            Problem::NotUtf8 { line, column, .. } => (*line, *column),
            _ => (1, 1),
        }
    }
}

fn kind(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// The directory `path` is in: its parent, or `.` for a bare file name.
pub fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Reads `path` as UTF-8 text, refusing what is not a regular file, larger than [`MAX_BYTES`],
/// or not UTF-8.
pub fn read(path: &Path) -> Result<String, Problem> {
    // A link may point anywhere (a key, a `.env`): follow it only within its own directory, so
    // that no error message can show a line of a file outside the project.
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        match (
            std::fs::canonicalize(path),
            std::fs::canonicalize(dir_of(path)),
        ) {
            (Ok(target), Ok(dir)) if !target.starts_with(&dir) => {
                return Err(Problem::LinksOutside(target));
            }
            _ => {}
        }
    }
    // Checked before opening: opening a FIFO for reading would wait for a writer.
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Problem::NotFound,
        _ => Problem::Io(e),
    })?;
    if !meta.is_file() {
        return Err(Problem::NotRegular(kind(meta.file_type())));
    }
    let file = File::open(path).map_err(Problem::Io)?;
    // The same check on what was opened, in case the path was swapped in between.
    let opened = file.metadata().map_err(Problem::Io)?;
    if !opened.is_file() {
        return Err(Problem::NotRegular(kind(opened.file_type())));
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(Problem::Io)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Problem::TooLarge);
    }
    text(bytes)
}

/// `bytes` as UTF-8 text, or where it stops being UTF-8.
pub fn text(bytes: Vec<u8>) -> Result<String, Problem> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Problem::NotUtf8 {
            line: 1,
            column: 1,
            problem: "is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8".into(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // The prefix is valid UTF-8 by construction.
        let before = std::str::from_utf8(good).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let byte = e.as_bytes()[good.len()];
        Problem::NotUtf8 {
            line,
            column,
            problem: format!("is not UTF-8 text: byte 0x{byte:02X} at line {line}, column {column} is not valid UTF-8"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located_at_its_first_wrong_byte() {
        let Err(Problem::NotUtf8 { line, column, .. }) = text(b"name: a\nx: \xc3\x28".to_vec())
        else {
            panic!("refused");
        };
        assert_eq!((line, column), (2, 4));
        assert!(matches!(
            text(vec![0xFF, 0xFE, b'n', 0]),
            Err(Problem::NotUtf8 {
                line: 1,
                column: 1,
                ..
            })
        ));
        assert_eq!(text(b"ok".to_vec()).unwrap(), "ok");
    }

    #[test]
    fn directories_and_devices_are_not_read() {
        assert!(matches!(
            read(Path::new("/")),
            Err(Problem::NotRegular("a directory"))
        ));
        assert!(matches!(
            read(Path::new("/dev/zero")),
            Err(Problem::NotRegular("a device"))
        ));
        assert!(matches!(
            read(Path::new("/no/such/file")),
            Err(Problem::NotFound)
        ));
    }
}
