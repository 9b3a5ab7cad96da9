//! Writes on a thread of their own: while the kernel copies one chunk's output into its files,
//! the command formats the next. The bytes reach each file in the order they were sent, so the
//! files are those of writing them in place; the emptied buffers come back to be filled again,
//! so a long run does not map fresh memory for every chunk.

use std::fs::File;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use anyhow::{Context, anyhow};

/// Buffers on their way to the writer at most: two chunks' worth, so memory stays bounded and
/// the formatting thread waits when the disk falls behind.
const QUEUED: usize = 4;

/// A file the spool writes to: a second handle on a staged file's open file, and its name for
/// messages.
#[derive(Clone)]
pub struct SpoolFile {
    file: Arc<File>,
    shown: Arc<str>,
}

impl SpoolFile {
    pub fn new(file: File, shown: String) -> SpoolFile {
        SpoolFile {
            file: Arc::new(file),
            shown: shown.into(),
        }
    }
}

/// Syncs `file` once [`crate::output::SYNC_EVERY`] bytes were written to it since its last sync. The disk
/// then writes a large output while the next rows are formatted, and the sync every output
/// gets before it is moved into place ([`crate::output::commit`]) waits for little; this thread
/// waits meanwhile, not the ones that format.
fn sync_now_and_then(
    unsynced: &mut Vec<(Arc<File>, usize)>,
    file: &Arc<File>,
    n_bytes: usize,
) -> std::io::Result<()> {
    let at = match unsynced.iter().position(|(f, _)| Arc::ptr_eq(f, file)) {
        Some(at) => at,
        None => {
            unsynced.push((Arc::clone(file), 0));
            unsynced.len() - 1
        }
    };
    let Some((_, count)) = unsynced.get_mut(at) else {
        return Ok(());
    };
    *count += n_bytes;
    if *count < crate::output::SYNC_EVERY {
        return Ok(());
    }
    *count = 0;
    file.sync_data()
}

/// The writing thread, its queue, and the first error it met.
pub struct Spool {
    jobs: Option<SyncSender<(SpoolFile, Vec<u8>)>>,
    spare: Receiver<Vec<u8>>,
    failed: Arc<Mutex<Option<anyhow::Error>>>,
    thread: Option<JoinHandle<()>>,
}

impl Spool {
    /// Starts the writing thread; `None` when it cannot start (the caller then writes in place).
    pub fn start() -> Option<Spool> {
        let (jobs, queue) = sync_channel::<(SpoolFile, Vec<u8>)>(QUEUED);
        let (give_back, spare) = sync_channel::<Vec<u8>>(QUEUED + 2);
        let failed = Arc::new(Mutex::new(None));
        let record = Arc::clone(&failed);
        let thread = std::thread::Builder::new()
            .name("campus-write".to_owned())
            .spawn(move || {
                // Per file (by its handle): bytes written since it was last synced.
                let mut unsynced: Vec<(Arc<File>, usize)> = Vec::new();
                for (to, mut bytes) in queue {
                    let mut slot = record.lock().unwrap_or_else(PoisonError::into_inner);
                    // After an error nothing more is written; the queue still drains, so the
                    // sender never waits on a writer that stopped.
                    if slot.is_none() {
                        let written = crate::output::write_pieces(&mut &*to.file, &bytes)
                            .and_then(|()| sync_now_and_then(&mut unsynced, &to.file, bytes.len()));
                        if let Err(err) = written {
                            *slot =
                                Some(anyhow!(err).context(format!("cannot write {}", to.shown)));
                        }
                    }
                    drop(slot);
                    bytes.clear();
                    let _ = give_back.try_send(bytes);
                }
            })
            .ok()?;
        Some(Spool {
            jobs: Some(jobs),
            spare,
            failed,
            thread: Some(thread),
        })
    }

    /// Queues `bytes` for `to`; fails with the writer's error once it has met one.
    pub fn write(&self, to: &SpoolFile, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.check()?;
        if bytes.is_empty() {
            return Ok(());
        }
        let sent = self
            .jobs
            .as_ref()
            .map(|jobs| jobs.send((to.clone(), bytes)));
        match sent {
            Some(Ok(())) => Ok(()),
            _ => {
                self.check()?;
                Err(anyhow!("the thread writing {} stopped", to.shown))
            }
        }
    }

    /// An emptied buffer the writer is done with, if one is back.
    pub fn spare(&self) -> Option<Vec<u8>> {
        self.spare.try_recv().ok()
    }

    fn check(&self) -> anyhow::Result<()> {
        match self
            .failed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Waits until every queued byte is written; the writer's first error, if any.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            thread
                .join()
                .map_err(|_| anyhow!("the thread writing the outputs stopped"))
                .context("cannot write the outputs")?;
        }
        self.check()
    }
}

impl Drop for Spool {
    /// A spool given up on (the run failed) still waits for its writer, so no write lands in a
    /// file after the caller removed it.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("campus-spool-{}-{name}", std::process::id()))
    }

    #[test]
    fn bytes_arrive_in_order_and_buffers_come_back() {
        let path = temp("order");
        let (Ok(file), Some(spool)) = (File::create(&path), Spool::start()) else {
            panic!("no file or no writing thread")
        };
        let to = SpoolFile::new(file, path.display().to_string());
        let mut expected = Vec::new();
        let mut reused = 0;
        for idx in 0..1000u32 {
            let mut buf = match spool.spare() {
                Some(buf) => {
                    reused += 1;
                    buf
                }
                None => Vec::new(),
            };
            assert!(buf.is_empty());
            buf.extend_from_slice(format!("line {idx}\n").as_bytes());
            expected.extend_from_slice(&buf);
            assert!(spool.write(&to, buf).is_ok());
        }
        // The queue holds a few buffers: the sender waited for the writer, which gave back.
        assert!(reused > 0);
        assert!(spool.finish().is_ok());
        let written = std::fs::read(&path).unwrap_or_default();
        let _ = std::fs::remove_file(&path);
        assert_eq!(written, expected);
    }

    #[test]
    fn a_failed_write_is_reported_and_stops_the_writing() {
        let path = temp("readonly");
        let _ = File::create(&path);
        // A handle opened for reading only: every write to it fails.
        let (Ok(file), Some(spool)) = (File::open(&path), Spool::start()) else {
            panic!("no file or no writing thread")
        };
        let to = SpoolFile::new(file, "the output".to_owned());
        let mut first_error = None;
        for _ in 0..100 {
            if let Err(err) = spool.write(&to, b"x".to_vec()) {
                first_error = Some(err);
                break;
            }
        }
        let finished = spool.finish();
        let _ = std::fs::remove_file(&path);
        let message = match (first_error, finished) {
            (Some(err), _) | (None, Err(err)) => format!("{err:#}"),
            (None, Ok(())) => panic!("a failed write went unreported"),
        };
        assert!(message.contains("cannot write the output"), "{message}");
    }
}
