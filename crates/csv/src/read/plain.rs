//! The plain-line fast path of the reader: finding a line's end and field ends eight bytes at a
//! time, for lines csv-core would read as bare fields.
//!
//! Most lines of an export have no quote: csv-core's byte-at-a-time state machine and its copy
//! into an output buffer cost more than everything else the reader does. [`scan_plain_line`]
//! answers for such a line without copying, and refuses every line it cannot vouch for (see
//! `CsvReader::split_plain_lines`), which csv-core then reads as it always did. The tests
//! below check that both roads give the same rows, line numbers and errors, whatever the chunks.

use super::MAX_FIELDS;

/// The longest valid UTF-8 prefix of `bytes`.
pub(super) fn valid_utf8_prefix(bytes: &[u8]) -> &str {
    // `from_utf8` skips ASCII a word at a time; `utf8_chunks` walks byte by byte.
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // `valid_up_to` is in range and ends valid UTF-8, so neither default is ever taken.
        Err(e) => {
            let prefix = std::str::from_utf8(bytes.get(..e.valid_up_to()).unwrap_or_default());
            debug_assert!(prefix.is_ok(), "valid_up_to ends inside a character");
            prefix.unwrap_or_default()
        }
    }
}

/// One bit (the high one) in each byte of `word` equal to `byte`, and no others.
#[inline]
fn byte_mask(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    // (x & 0x7f) + 0x7f sets a byte's high bit iff its low seven bits are nonzero, without a
    // carry into the next byte, so unlike the classic `(x - 1) & !x` test this has no false
    // positives after a match.
    !((x & LOW7).wrapping_add(LOW7) | x | LOW7)
}

/// One bit (the high one) in each byte of `word` below `#` (0x23): control bytes, space, `!`
/// and `"`. A word without any holds no quote or line break, and costs one test instead of three.
#[inline]
fn below_hash_mask(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // (x & 0x7f) + 0x5d reaches the high bit iff the low seven bits are at least 0x23; bytes
    // with the high bit already set are not below 0x23 either. No carries cross bytes.
    !((word & LOW7).wrapping_add(0x5d5d_5d5d_5d5d_5d5d) | word | LOW7)
}

/// Pushes `base` plus the index of each byte flagged in `mask` (see [`byte_mask`]).
#[inline]
fn push_positions(mut mask: u64, base: usize, ends: &mut Vec<usize>) {
    while mask != 0 {
        ends.push(base + (mask.trailing_zeros() / 8) as usize);
        mask &= mask - 1;
    }
}

/// Finds the plain line at the start of `bytes`: its length without the terminator and the
/// bytes used with it, with each field's end in `ends` (the last is the line's length).
///
/// `None` when csv-core must read the line: it has a quote or a `\r` not followed by `\n`,
/// it is longer than `max_len` or has more than [`MAX_FIELDS`] fields, or it does not end in
/// `bytes`. Scans eight bytes at a time.
#[inline]
pub(super) fn scan_plain_line(
    bytes: &[u8],
    delimiter: u8,
    max_len: usize,
    ends: &mut Vec<usize>,
) -> Option<(usize, usize)> {
    ends.clear();
    let mut idx = 0;
    let stop = loop {
        let Some(word) = bytes
            .get(idx..idx + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        else {
            // The last few bytes, one at a time.
            // `idx` only grows by whole words that fit, so it is never past the end.
            debug_assert!(idx <= bytes.len());
            let rest = bytes.get(idx..).unwrap_or_default();
            let mut found = None;
            for (offset, &b) in rest.iter().enumerate() {
                if b == delimiter {
                    ends.push(idx + offset);
                } else if matches!(b, b'\n' | b'\r' | b'"') {
                    found = Some(idx + offset);
                    break;
                }
            }
            break found?;
        };
        let word = u64::from_le_bytes(word);
        let delimiters = byte_mask(word, delimiter);
        let stops = if below_hash_mask(word) == 0 {
            0
        } else {
            byte_mask(word, b'\n') | byte_mask(word, b'\r') | byte_mask(word, b'"')
        };
        if stops != 0 {
            let offset = stops.trailing_zeros() / 8;
            // Only the delimiters before the stop byte: bits below its byte.
            push_positions(delimiters & ((1u64 << (offset * 8)) - 1), idx, ends);
            break idx + offset as usize;
        }
        push_positions(delimiters, idx, ends);
        idx += 8;
        // A line csv-core must read anyway is left to it now, before `ends` grows unbounded.
        if idx > max_len || ends.len() >= MAX_FIELDS {
            return None;
        }
    };
    let used = match (bytes.get(stop), bytes.get(stop + 1)) {
        (Some(b'\n'), _) => stop + 1,
        (Some(b'\r'), Some(b'\n')) => stop + 2,
        _ => return None,
    };
    if stop > max_len || ends.len() >= MAX_FIELDS {
        return None;
    }
    ends.push(stop);
    Some((stop, used))
}

#[cfg(test)]
mod tests {
    use super::super::tests::Collect;
    use super::super::{CsvReader, ReadOptions};
    use super::*;

    /// Everything a reader reports, as text: header, rows with line and index, errors, stats.
    fn render(bytes: &[u8], cuts: &[usize], split_plain: bool, options: &ReadOptions) -> String {
        let mut reader = CsvReader::new(options.clone());
        reader.split_plain = split_plain;
        let mut collect = Collect::new(true);
        let mut start = 0;
        for &cut in cuts.iter().chain([bytes.len()].iter()) {
            let cut = cut.clamp(start, bytes.len());
            reader.feed(bytes.get(start..cut).unwrap_or_default(), &mut collect);
            start = cut;
        }
        let mut out = collect.finish(&mut reader);
        out.push_str(&format!(
            "{:?} stopped {}\n",
            reader.stats(),
            reader.stopped()
        ));
        out
    }

    /// The fast path must agree with csv-core alone, fed the same chunks: whole, cut in two at
    /// every byte offset, and in chunks of one to nine bytes. (The record-length limit only
    /// applies to a record buffered across chunks, so results may depend on the cuts; the two
    /// roads must not differ for any of them.)
    fn check_same(bytes: &[u8], options: &ReadOptions) {
        let shown = String::from_utf8_lossy(bytes);
        let mut all_cuts: Vec<Vec<usize>> = vec![vec![]];
        all_cuts.extend((0..=bytes.len()).map(|cut| vec![cut]));
        all_cuts.extend((1..10).map(|size| (size..bytes.len()).step_by(size).collect()));
        for cuts in &all_cuts {
            let expected = render(bytes, cuts, false, options);
            assert_eq!(
                render(bytes, cuts, true, options),
                expected,
                "cuts {cuts:?} of {shown:?}"
            );
        }
    }

    fn options() -> ReadOptions {
        ReadOptions::new("t.csv")
    }

    #[test]
    fn plain_and_quoted_lines_agree() {
        let cases: &[&[u8]] = &[
            b"a,b\n1,2\n3,4\n",
            b"a,b\n1,\"x, \"\"y\"\"\nz\"\n3,4\n\"5\",6\n7,8",
            b"a,b\n1,2\nab\"c,d\n\"\",\"\"\n9,10\n",
            b"a,b\r\n1,2\r\n\r\n3,4\r\n",
            b"a,b\r1,2\r3,4\r",
            b"a,b\n1,2\r\r\n3,4\r\n\r",
            b"a,b\n1,2\rx,y\n3,4\n",
            b"a,b\n\n\n   \n,\n\t\n1,2\n",
            b"a,b,c\n1,2\n1,2,3,4\n,,\n,,,\n5,6,7",
            b"a,b\n\xff,1\n2,\xfe\n\xc3,\xa9\n\xc3\xa9,\xe6\x97\xa5\xe6\x9c\xac\n3,4\n",
            b"a,b\n\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e,x\n",
            b"\xef\xbb\xbfa,b\n1,2\n",
            b"\xef\xbb\xbf\xef\xbb\xbfa,b\n1,2\n",
            b"a,b\n1,2\n3,\"oops\n4,5\n",
            b"a,b\n1,2\n3,\"",
            b"a,b\n1,2\n\"",
            b"a\n1\n\n  \n\"\"\n2,3\n4",
            b"college_code,roll_no,dob,course_code,date,status\n\
              AKTU001,AKTU001-CSE-2023-1001,2005-09-13,BCS301,2024-08-01,P\n\
              AKTU001,AKTU001-CSE-2023-1001,2005-09-13,BCS302,2024-08-01,A\r\n\
              AKTU001,\"AKTU001-CSE-2023-1002\",2004-11-10,BCS301,2024-08-01,P\n\
              AKTU001 , AKTU001-CSE-2023-1003 ,2005-08-06,BCS301,2024-08-01, P \n",
            b"a;b;c\n1;2,5;3\n4;\"5;6\";7\n",
            b"a\tb\n1\t2\n3 \t 4\n",
        ];
        for bytes in cases {
            check_same(bytes, &options());
        }
        // Runs of quoted lines make the reader leave the next records to csv-core for a while
        // before trying plain lines again.
        let mut runs = b"a,b\n".to_vec();
        for run in 0..6 {
            for line in 0..(run * 5) {
                runs.extend(format!("\"q{run}\",{line}\n").as_bytes());
            }
            for line in 0..(17 - run) {
                runs.extend(format!("p{run},{line}\r\n").as_bytes());
            }
        }
        check_same(&runs, &options());
    }

    #[test]
    fn special_delimiters_leave_everything_to_csv_core() {
        for delimiter in [b'"', b'\n', b'\r', 0xa9, b' '] {
            let mut options = options();
            options.delimiter = Some(delimiter);
            check_same(b"a b,c\n1 2\n\"x\" y\n\xc3\xa9 z\r\n", &options);
        }
    }

    #[test]
    fn limits_stop_the_file_exactly_as_before() {
        let mut short = options();
        short.max_record_bytes = 12;
        short.max_errors = 2;
        check_same(b"a,b\n1,2\n123456789,123456789\n3,4\n", &short);
        check_same(b"a,b\n1,2\n1234567890123,4\n", &short);
        check_same(b"a,b\n1\n2\n3\n4,5\n6\n", &short);
        let mut many = b"a,b\n1,2\n".to_vec();
        many.extend(std::iter::repeat_n(b',', MAX_FIELDS + 3));
        many.extend(b"\n3,4\n");
        assert!(render(&many, &[], true, &options()).contains("more than 16384 fields"));
        for cuts in [vec![], vec![9], vec![5000, 9000], vec![many.len() - 3]] {
            assert_eq!(
                render(&many, &cuts, true, &options()),
                render(&many, &cuts, false, &options())
            );
        }
        // At the limit, and one over it with the last delimiters in the word that ends the line.
        for (prefix, n_delimiters) in [
            (&b""[..], MAX_FIELDS - 1),
            (b"xxxx", MAX_FIELDS - 1),
            (b"xxxx", MAX_FIELDS),
        ] {
            let mut bytes = b"a,b\n".to_vec();
            bytes.extend(prefix);
            bytes.extend(std::iter::repeat_n(b',', n_delimiters));
            bytes.extend(b"\n3,4\n");
            let expected = render(&bytes, &[], false, &options());
            assert_eq!(
                expected.contains("more than 16384 fields"),
                n_delimiters == MAX_FIELDS
            );
            assert_eq!(render(&bytes, &[], true, &options()), expected);
        }
    }

    /// Seeded xorshift, so the corpus is the same on every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn random_files_agree() {
        // Pieces weighted towards what breaks parsers: delimiters, quotes, line ends, spaces,
        // multi-byte and invalid bytes, and fields long enough to span several words.
        let pieces: &[&[u8]] = &[
            b"a",
            b"bc",
            b"1",
            b"abcdefghijk",
            b"2024-08-01",
            b",",
            b",",
            b",",
            b";",
            b"\t",
            b"\"",
            b"\"\"",
            b"\n",
            b"\n",
            b"\n",
            b"\r\n",
            b"\r",
            b" ",
            b"\xc3\xa9",
            b"\xe6\x97\xa5",
            b"\xff",
            b"\xc3",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..1500 {
            let mut bytes = b"h1,h2,h3\n".to_vec();
            if case % 5 == 0 {
                bytes.clear();
            }
            for _ in 0..rng.below(40) {
                bytes.extend_from_slice(
                    pieces
                        .get(rng.below(pieces.len()))
                        .copied()
                        .unwrap_or_default(),
                );
            }
            let mut options = options();
            if case % 7 == 0 {
                options.max_record_bytes = 9;
            }
            if case % 3 == 0 {
                options.max_errors = 1;
            }
            check_same(&bytes, &options);
        }
    }

    #[test]
    fn scan_finds_line_ends_and_field_ends() {
        let mut ends = Vec::new();
        let scan =
            |bytes: &[u8], ends: &mut Vec<usize>| scan_plain_line(bytes, b',', 1 << 20, ends);
        assert_eq!(scan(b"ab,cdefghij,,k\nrest", &mut ends), Some((14, 15)));
        assert_eq!(ends, [2, 11, 12, 14]);
        assert_eq!(scan(b"abcdefghijklmnop,q\r\nx", &mut ends), Some((18, 20)));
        assert_eq!(ends, [16, 18]);
        assert_eq!(scan(b"\n", &mut ends), Some((0, 1)));
        assert_eq!(ends, [0]);
        // Quotes, lone or trailing CRs and unfinished lines are csv-core's.
        for line in [
            &b"abcdefghijk\"l\n"[..],
            b"a,\"b\"\n",
            b"a,b\rc\n",
            b"a,b\r",
            b"abcdefghijklmnop",
            b"",
        ] {
            assert_eq!(
                scan(line, &mut ends),
                None,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(
            scan_plain_line(b"abcdefghijklmnopqrstuvwxyz\n", b',', 10, &mut ends),
            None
        );
    }

    #[test]
    fn masks_flag_exactly_the_matching_bytes() {
        for byte in 0..=255u8 {
            let word = u64::from_le_bytes([byte, b'x', byte, 0, 0xff, byte, b'"', 0x80]);
            for (idx, b) in word.to_le_bytes().into_iter().enumerate() {
                let high = |mask: u64| (mask >> (idx * 8 + 7)) & 1 == 1;
                assert_eq!(
                    high(byte_mask(word, byte)),
                    b == byte,
                    "byte {byte:#x} at {idx}"
                );
                assert_eq!(
                    high(below_hash_mask(word)),
                    b < 0x23,
                    "byte {b:#x} at {idx}"
                );
            }
            // Only high bits are ever set.
            assert_eq!(byte_mask(word, byte) & 0x7f7f_7f7f_7f7f_7f7f, 0);
            assert_eq!(below_hash_mask(word) & 0x7f7f_7f7f_7f7f_7f7f, 0);
        }
        assert_eq!(valid_utf8_prefix(b"ab\xc3\xa9c\xc3"), "ab\u{e9}c");
        assert_eq!(valid_utf8_prefix(b"\xffab"), "");
    }
}
