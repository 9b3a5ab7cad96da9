//! Writes on threads of their own: while the kernel copies one chunk's output into its files,
//! the command formats the next. Each file is written by one writing thread (its lane), so its
//! bytes reach it in the order they were sent and the files are those of writing them in place;
//! files on different lanes are copied at once, as that copy is most of the cost of a large
//! output. Large files are synced on a thread of their own while written. The emptied buffers
//! come back to be filled again, so a long run does not map fresh memory for every chunk.

use std::fs::File;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use anyhow::{Context, anyhow};

use crate::output::Syncer;

/// Buffers on their way to the writer at most: two chunks' worth, so memory stays bounded and
/// the formatting thread waits when the disk falls behind.
const QUEUED: usize = 4;

/// A file the spool writes to: a second handle on a staged file's open file, and its name for
/// messages.
#[derive(Clone)]
pub struct SpoolFile {
    file: Arc<File>,
    shown: Arc<str>,
    /// Which writing thread writes it, modulo their number.
    lane: usize,
}

impl SpoolFile {
    pub fn new(file: File, shown: String) -> SpoolFile {
        SpoolFile {
            file: Arc::new(file),
            shown: shown.into(),
            lane: 0,
        }
    }

    /// The same file, written by writing thread `lane` (modulo their number): files on
    /// different lanes are written at once.
    pub fn on_lane(self, lane: usize) -> SpoolFile {
        SpoolFile { lane, ..self }
    }
}

/// A file the writing thread has written to: bytes written since its last sync, and the thread
/// that syncs it once it grew past [`crate::output::SYNC_EVERY`].
struct Unsynced {
    to: SpoolFile,
    count: usize,
    syncer: Option<Syncer>,
}

/// Asks `to`'s syncer for a sync once [`crate::output::SYNC_EVERY`] bytes were written to it
/// since the last ask. The disk then writes a large output while the next rows are formatted and
/// written, and the sync every output gets before it is moved into place
/// ([`crate::output::commit`]) waits for little; neither the writing thread nor the ones that
/// format wait for the disk meanwhile.
fn sync_now_and_then(
    files: &mut Vec<Unsynced>,
    to: &SpoolFile,
    n_bytes: usize,
) -> std::io::Result<()> {
    let at = match files.iter().position(|f| Arc::ptr_eq(&f.to.file, &to.file)) {
        Some(at) => at,
        None => {
            files.push(Unsynced {
                to: to.clone(),
                count: 0,
                syncer: None,
            });
            files.len() - 1
        }
    };
    let Some(file) = files.get_mut(at) else {
        return Ok(());
    };
    file.count += n_bytes;
    if file.count < crate::output::SYNC_EVERY {
        return Ok(());
    }
    file.count = 0;
    let syncer = match file.syncer.take() {
        Some(syncer) => syncer,
        None => Syncer::start(to.file.try_clone()?)?,
    };
    syncer.ask();
    file.syncer = Some(syncer);
    Ok(())
}

/// Waits for every file's last sync under way: the first error any of them met, which the
/// final sync would not see again (the kernel reports a failed write-back once per open file).
fn finish_syncs(files: Vec<Unsynced>) -> anyhow::Result<()> {
    let mut first = Ok(());
    for file in files {
        let Some(syncer) = file.syncer else {
            continue;
        };
        let done = syncer
            .finish()
            .with_context(|| format!("cannot write {}", file.to.shown));
        if first.is_ok() {
            first = done;
        }
    }
    first
}

/// The writing threads, their queues, and the first error any of them met.
pub struct Spool {
    /// One queue per writing thread; a file is always written by the same one.
    jobs: Vec<SyncSender<(SpoolFile, Vec<u8>)>>,
    spare: Receiver<Vec<u8>>,
    failed: Arc<Mutex<Option<anyhow::Error>>>,
    threads: Vec<JoinHandle<()>>,
}

/// Keeps `err` unless an error is kept already.
fn record(failed: &Mutex<Option<anyhow::Error>>, err: anyhow::Error) {
    let mut slot = failed.lock().unwrap_or_else(PoisonError::into_inner);
    if slot.is_none() {
        *slot = Some(err);
    }
}

/// A writing thread: writes what `queue` brings, in order, until every sender is gone.
fn write_queued(
    queue: Receiver<(SpoolFile, Vec<u8>)>,
    give_back: SyncSender<Vec<u8>>,
    failed: &Mutex<Option<anyhow::Error>>,
) {
    let mut files: Vec<Unsynced> = Vec::new();
    for (to, mut bytes) in queue {
        let stopped = failed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some();
        // After an error nothing more is written; the queue still drains, so the sender never
        // waits on a writer that stopped.
        if !stopped {
            let written = crate::output::write_pieces(&mut &*to.file, &bytes)
                .and_then(|()| sync_now_and_then(&mut files, &to, bytes.len()));
            if let Err(err) = written {
                record(
                    failed,
                    anyhow!(err).context(format!("cannot write {}", to.shown)),
                );
            }
        }
        bytes.clear();
        let _ = give_back.try_send(bytes);
    }
    if let Err(err) = finish_syncs(files) {
        record(failed, err);
    }
}

impl Spool {
    /// Starts `writers` writing threads (at least one), so the kernel copies several files'
    /// bytes at once; `None` when none can start (the caller then writes in place).
    pub fn start(writers: usize) -> Option<Spool> {
        let (give_back, spare) = sync_channel::<Vec<u8>>(writers.max(1) * (QUEUED + 2));
        let failed = Arc::new(Mutex::new(None));
        let mut jobs = Vec::new();
        let mut threads = Vec::new();
        for _ in 0..writers.max(1) {
            let (job, queue) = sync_channel::<(SpoolFile, Vec<u8>)>(QUEUED);
            let give_back = give_back.clone();
            let failed = Arc::clone(&failed);
            let started = std::thread::Builder::new()
                .name("campus-write".to_owned())
                .spawn(move || write_queued(queue, give_back, &failed));
            match started {
                Ok(thread) => {
                    jobs.push(job);
                    threads.push(thread);
                }
                Err(_) => break,
            }
        }
        if threads.is_empty() {
            return None;
        }
        Some(Spool {
            jobs,
            spare,
            failed,
            threads,
        })
    }

    /// Queues `bytes` for `to`; fails with the writer's error once it has met one.
    pub fn write(&self, to: &SpoolFile, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.check()?;
        if bytes.is_empty() {
            return Ok(());
        }
        let lane = to.lane % self.jobs.len().max(1);
        let sent = self
            .jobs
            .get(lane)
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
        self.jobs.clear();
        for thread in std::mem::take(&mut self.threads) {
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
        self.jobs.clear();
        for thread in std::mem::take(&mut self.threads) {
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
        let (Ok(file), Some(spool)) = (File::create(&path), Spool::start(1)) else {
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
    fn files_on_several_writers_each_get_their_bytes_in_order_and_synced() {
        let Some(spool) = Spool::start(2) else {
            panic!("no writing threads")
        };
        let paths: Vec<_> = (0..3).map(|idx| temp(&format!("lanes-{idx}"))).collect();
        let files: Vec<SpoolFile> = paths
            .iter()
            .enumerate()
            .map(|(lane, path)| match File::create(path) {
                Ok(file) => SpoolFile::new(file, path.display().to_string()).on_lane(lane),
                Err(err) => panic!("cannot create {}: {err}", path.display()),
            })
            .collect();
        let mut expected = vec![Vec::new(); files.len()];
        // File 1 passes a sync on its writer's syncer; files 0 and 2 share the other writer.
        let mut idx = 0u32;
        while expected.get(1).map_or(0, Vec::len) < crate::output::SYNC_EVERY + 4321 {
            let which = usize::try_from(idx % 4).unwrap_or(0).min(2);
            let line = format!("{which}:{idx:>64}\n").repeat(if which == 1 { 300 } else { 1 });
            let mut buf = spool.spare().unwrap_or_default();
            buf.extend_from_slice(line.as_bytes());
            if let (Some(want), Some(to)) = (expected.get_mut(which), files.get(which)) {
                want.extend_from_slice(line.as_bytes());
                assert!(spool.write(to, buf).is_ok());
            }
            idx += 1;
        }
        assert!(spool.finish().is_ok());
        for (path, want) in paths.iter().zip(&expected) {
            let written = std::fs::read(path).unwrap_or_default();
            let _ = std::fs::remove_file(path);
            assert!(written == *want, "{} differs", path.display());
        }
    }

    #[test]
    fn a_failed_write_is_reported_and_stops_the_writing() {
        let path = temp("readonly");
        let _ = File::create(&path);
        // A handle opened for reading only: every write to it fails.
        let (Ok(file), Some(spool)) = (File::open(&path), Spool::start(2)) else {
            panic!("no file or no writing thread")
        };
        // On the second of two writers.
        let to = SpoolFile::new(file, "the output".to_owned()).on_lane(1);
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
