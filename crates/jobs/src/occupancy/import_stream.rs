//! [`ImportStream`]: a CSV file of training sessions imported in chunks, as the page reads a
//! file in slices of [`IMPORT_CHUNK`] bytes (one worker request each). The sessions are kept,
//! the file is not: memory holds the sessions, one chunk and the kept errors. The outcome, and
//! the content hash by which the page tells a file it has imported before, are the same however
//! the file is cut.

use sha2::{Digest, Sha256};

use campus_occupancy::{Imported, Session, SessionStream};

/// How many bytes of a file one import request carries: the size of a prediction's slices.
pub const IMPORT_CHUNK: usize = super::predict_stream::PREDICT_CHUNK;

/// An import of sessions in progress over a file fed chunk by chunk.
pub struct ImportStream {
    sessions: SessionStream,
    hasher: Sha256,
}

/// A finished import: what [`campus_occupancy::parse_sessions`] makes of the whole file, and
/// the file's SHA-256 ([`super::guard::content_hash`]).
#[derive(Debug, PartialEq)]
pub struct ImportedFile {
    pub imported: Imported<Session>,
    pub content_hash: String,
}

impl ImportStream {
    /// Starts importing the file called `file_name` (in error messages).
    pub fn new(file_name: &str) -> ImportStream {
        ImportStream {
            sessions: SessionStream::new(file_name),
            hasher: Sha256::new(),
        }
    }

    /// Reads the next chunk of the file; gives how many sessions have been read so far.
    pub fn feed(&mut self, chunk: &[u8]) -> usize {
        self.hasher.update(chunk);
        self.sessions.feed(chunk);
        self.sessions.n_sessions()
    }

    /// Ends the file.
    pub fn finish(self) -> ImportedFile {
        let digest = self.hasher.finalize();
        ImportedFile {
            imported: self.sessions.finish(),
            content_hash: digest.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

#[cfg(test)]
// A failing unwrap is a failing test.
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::occupancy::guard::content_hash;
    use campus_occupancy::{GenerateConfig, generate, parse_sessions};

    #[test]
    fn the_outcome_and_hash_are_the_whole_files_however_it_is_cut() {
        let config = GenerateConfig {
            n_sessions: 400,
            ..GenerateConfig::default()
        };
        let mut csv = campus_occupancy::session::write_csv(&generate(&config));
        csv.insert_str(csv.find('\n').unwrap() + 1, "2024-09-02,\"08:\r\n00\"\r\n");
        let bytes = csv.into_bytes();
        let whole = ImportedFile {
            imported: parse_sessions(&bytes, "s.csv"),
            content_hash: content_hash(&bytes),
        };
        assert_eq!(whole.imported.rows.len(), 400);
        assert_eq!(whole.imported.n_bad_rows, 1);
        for size in [1, 7, 4096, IMPORT_CHUNK] {
            let mut stream = ImportStream::new("s.csv");
            let mut n_sessions = 0;
            for piece in bytes.chunks(size) {
                n_sessions = stream.feed(piece);
            }
            assert_eq!(n_sessions, 400, "slices of {size}");
            assert_eq!(stream.finish(), whole, "slices of {size}");
        }
    }
}
