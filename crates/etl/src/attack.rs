//! The dictionary attack on unkeyed hashes, run on the loaded data as a teaching moment.
//!
//! Roll numbers are `PREFIX-SEQ` with a sequential SEQ (`AKTU003-CSE-2023-1001`) and birthdates
//! span a few years before admission, so every candidate `college-roll-dob` can simply be
//! hashed and looked up. The attack is a resumable state machine: the caller runs
//! [`DictionaryAttack::step`] with a budget, measures time itself (there is no portable clock
//! in wasm) and may stop between steps.

use std::collections::HashMap;

use campus_schema::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Etl;
use crate::fasthash::FastMap;
use crate::hash::Digest32;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackOptions {
    /// Birth years tried: from `admission_year - oldest` to `admission_year - youngest`.
    pub youngest_at_admission: i32,
    pub oldest_at_admission: i32,
    /// The attack stops after this many candidates, whatever the data claims.
    pub max_candidates: u64,
}

impl Default for AttackOptions {
    fn default() -> AttackOptions {
        AttackOptions {
            youngest_at_admission: 17,
            oldest_at_admission: 20,
            max_candidates: 100_000_000,
        }
    }
}

/// One family of roll numbers: a college, a prefix, a sequence range, a birthdate range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    pub college_code: String,
    pub prefix: String,
    pub seq_min: u64,
    pub seq_max: u64,
    pub seq_width: usize,
    pub first_dob_day: i64,
    pub n_days: i64,
}

impl Space {
    fn size(&self) -> u64 {
        debug_assert!(self.n_days >= 0, "a date range of {} days", self.n_days);
        (self.seq_max - self.seq_min)
            .saturating_add(1)
            .saturating_mul(u64::try_from(self.n_days).unwrap_or(0))
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackProgress {
    pub n_tried: u64,
    pub n_candidates: u64,
    pub n_recovered: u64,
    pub n_targets: u64,
}

impl AttackProgress {
    /// Hashes per second, given the seconds the caller measured.
    pub fn rate(&self, elapsed_seconds: f64) -> Option<f64> {
        (elapsed_seconds > 0.0).then(|| self.n_tried as f64 / elapsed_seconds)
    }

    pub fn done(&self) -> bool {
        self.n_tried >= self.n_candidates
    }
}

pub struct DictionaryAttack {
    spaces: Vec<Space>,
    /// Target digest → recovered identity (empty until found).
    targets: FastMap<Digest32, bool>,
    recovered: Vec<String>,
    space_idx: usize,
    offset: u64,
    progress: AttackProgress,
    buf: Vec<u8>,
}

/// Splits `AKTU003-CSE-2023-1001` into prefix `AKTU003-CSE-2023`, sequence 1001 (4 digits) and
/// the admission year 2023 (the segment before the sequence).
fn split_roll(roll_no: &str) -> Option<(&str, u64, usize, i32)> {
    let (prefix, seq) = roll_no.rsplit_once('-')?;
    if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = prefix.rsplit('-').next()?.parse::<i32>().ok()?;
    Some((prefix, seq.parse().ok()?, seq.len(), year))
}

impl DictionaryAttack {
    /// Plans the attack from what an attacker could know: the roll-number format and the
    /// range of sequence numbers in use per prefix, plus a plausible birth-year window.
    pub fn new(etl: &Etl, options: &AttackOptions) -> DictionaryAttack {
        let mut by_prefix: HashMap<(String, String), Space> = HashMap::new();
        let mut targets = FastMap::default();
        for student in etl.state().students() {
            targets.insert(student.digest, false);
            let Some((prefix, seq, width, year)) = split_roll(&student.roll_no) else {
                continue;
            };
            let (Some(first), Some(last)) = (
                Date::new(year - options.oldest_at_admission, 1, 1),
                Date::new(year - options.youngest_at_admission, 12, 31),
            ) else {
                continue;
            };
            let space = by_prefix
                .entry((student.college_code.clone(), prefix.to_owned()))
                .or_insert_with(|| Space {
                    college_code: student.college_code.clone(),
                    prefix: prefix.to_owned(),
                    seq_min: seq,
                    seq_max: seq,
                    seq_width: width,
                    first_dob_day: first.to_days(),
                    n_days: (last.to_days() - first.to_days() + 1).max(0),
                });
            space.seq_min = space.seq_min.min(seq);
            space.seq_max = space.seq_max.max(seq);
        }
        let mut spaces: Vec<Space> = by_prefix.into_values().collect();
        spaces.sort_by(|a, b| (&a.college_code, &a.prefix).cmp(&(&b.college_code, &b.prefix)));
        let n_candidates = spaces
            .iter()
            .map(Space::size)
            .fold(0u64, u64::saturating_add)
            .min(options.max_candidates);
        let progress = AttackProgress {
            n_tried: 0,
            n_candidates,
            n_recovered: 0,
            n_targets: targets.len() as u64,
        };
        DictionaryAttack {
            spaces,
            targets,
            recovered: Vec::new(),
            space_idx: 0,
            offset: 0,
            progress,
            buf: Vec::new(),
        }
    }

    pub fn spaces(&self) -> &[Space] {
        &self.spaces
    }

    /// Tries up to `budget` candidates; returns the progress so far.
    pub fn step(&mut self, budget: u64) -> AttackProgress {
        let mut left = budget.min(
            self.progress
                .n_candidates
                .saturating_sub(self.progress.n_tried),
        );
        while left > 0 {
            let Some(space) = self.spaces.get(self.space_idx) else {
                break;
            };
            let size = space.size();
            if self.offset >= size {
                self.space_idx += 1;
                self.offset = 0;
                continue;
            }
            let n_days = u64::try_from(space.n_days).unwrap_or(1).max(1);
            let seq = space.seq_min + self.offset / n_days;
            let day = space.first_dob_day + i64::try_from(self.offset % n_days).unwrap_or(0);
            self.buf.clear();
            self.buf.extend_from_slice(space.college_code.as_bytes());
            self.buf.push(b'-');
            self.buf.extend_from_slice(space.prefix.as_bytes());
            self.buf.push(b'-');
            campus_schema::sink::push_u64(&mut self.buf, seq, space.seq_width);
            self.buf.push(b'-');
            Date::from_days(day).write_iso(&mut self.buf);
            let digest: Digest32 = Sha256::digest(&self.buf).into();
            if let Some(found) = self.targets.get_mut(&digest)
                && !*found
            {
                *found = true;
                self.progress.n_recovered += 1;
                if self.recovered.len() < 20 {
                    self.recovered
                        .push(String::from_utf8_lossy(&self.buf).into_owned());
                }
            }
            self.offset += 1;
            self.progress.n_tried += 1;
            left -= 1;
        }
        self.progress
    }

    /// Runs to the end (tests and the CLI; the worker steps instead).
    pub fn run(&mut self) -> AttackProgress {
        while !self.step(1 << 16).done() && self.space_idx < self.spaces.len() {}
        self.progress
    }

    /// A few recovered `college-roll-dob` strings, to show that the hash hid nothing.
    pub fn recovered_examples(&self) -> &[String] {
        &self.recovered
    }
}
