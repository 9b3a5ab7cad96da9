//! Civil dates and times of day, with the day arithmetic the generators need.
//!
//! Hand-written because it is forty lines of exact integer arithmetic (Howard Hinnant's
//! `days_from_civil`), identical on every target, and a date crate would bring time zones we
//! never use.

use std::fmt;

/// A proleptic Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A date, or `None` when the day does not exist in that month.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// Parses `YYYY-MM-DD` exactly: four-digit year, two-digit month and day, and a day that
    /// exists (`2023-02-29` and `2024-04-31` are refused). Surrounding spaces are the caller's
    /// to trim. Every date a user types or a file holds is read through this one parser.
    pub fn parse_iso(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year = parse_digits(&bytes[0..4])?;
        let month = parse_digits(&bytes[5..7])?;
        let day = parse_digits(&bytes[8..10])?;
        Date::new(year as i32, month as u8, day as u8)
    }

    /// The day of the week, 0 = Monday (1970-01-01 was a Thursday); [`WEEKDAYS`] names it.
    pub fn weekday(self) -> u8 {
        (self.to_days() + 3).rem_euclid(7) as u8
    }

    /// Writes `YYYY-MM-DD` without allocating.
    pub fn write_iso(self, out: &mut Vec<u8>) {
        let year = self.year.clamp(0, 9999) as u32;
        if self.month <= 99 && self.day <= 99 {
            // "YYYYMMDD" in one word (see `sink::eight_digits`), then the dashes put in.
            let digits = crate::sink::eight_digits(
                year * 10_000 + u32::from(self.month) * 100 + u32::from(self.day),
            );
            let head = (digits & 0xFFFF_FFFF)
                | (u64::from(b'-') << 32)
                | ((digits >> 32 & 0xFFFF) << 40)
                | (u64::from(b'-') << 56);
            out.extend_from_slice(&head.to_le_bytes());
            out.extend_from_slice(&((digits >> 48) as u16).to_le_bytes());
            return;
        }
        push_digits(out, year, 4);
        out.push(b'-');
        push_digits(out, u32::from(self.month), 2);
        out.push(b'-');
        push_digits(out, u32::from(self.day), 2);
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The days of the week, Monday first: `WEEKDAYS[d]` names [`Date::weekday`] `d`.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A time of day in whole seconds since midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    pub seconds: u32,
}

impl Time {
    pub fn hm(hour: u32, minute: u32) -> Time {
        Time {
            seconds: (hour * 60 + minute) * 60,
        }
    }

    /// Parses a time of day on a 24-hour clock: `H:MM`, `HH:MM` or `HH:MM:SS` (pandas writes
    /// seconds). Hours are one or two digits up to 23; minutes and seconds are exactly two digits
    /// up to 59, so `9:5` and `24:00` are refused. Surrounding spaces are the caller's to trim.
    /// Every time a user types or a file holds is read through this one parser.
    pub fn parse(text: &str) -> Option<Time> {
        let mut parts = text.split(':');
        let hours = parts.next().filter(|h| matches!(h.len(), 1 | 2));
        let minutes = parts.next().filter(|m| m.len() == 2);
        let seconds = match parts.next() {
            None => Some(0),
            Some(s) if s.len() == 2 => parse_digits(s.as_bytes()).filter(|s| *s < 60),
            Some(_) => None,
        };
        if parts.next().is_some() {
            return None;
        }
        let hours = hours.and_then(|h| parse_digits(h.as_bytes()))?;
        let minutes = minutes.and_then(|m| parse_digits(m.as_bytes()))?;
        let seconds = seconds?;
        (hours < 24 && minutes < 60).then_some(Time {
            seconds: (hours * 60 + minutes) * 60 + seconds,
        })
    }

    /// Whole minutes since midnight (seconds dropped).
    pub fn minute_of_day(self) -> u32 {
        self.seconds % 86_400 / 60
    }

    pub fn add_minutes(self, minutes: u32) -> Time {
        Time {
            seconds: (self.seconds + minutes * 60) % 86_400,
        }
    }

    /// Writes `HH:MM:SS`.
    pub fn write_iso(self, out: &mut Vec<u8>) {
        let s = self.seconds % 86_400;
        // "00HHMMSS" in one word (see `sink::eight_digits`), then the colons put in.
        let digits = crate::sink::eight_digits(s / 3600 * 10_000 + s / 60 % 60 * 100 + s % 60);
        let text = (digits >> 16 & 0xFFFF)
            | (u64::from(b':') << 16)
            | ((digits >> 32 & 0xFFFF) << 24)
            | (u64::from(b':') << 40)
            | ((digits >> 48) << 48);
        out.extend_from_slice(&text.to_le_bytes());
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds % 86_400;
        write!(f, "{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

fn parse_digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

fn push_digits(out: &mut Vec<u8>, mut value: u32, width: usize) {
    let start = out.len();
    for _ in 0..width {
        out.push(b'0' + (value % 10) as u8);
        value /= 10;
    }
    out[start..].reverse();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_text_is_the_display_text() {
        let mut out = Vec::new();
        for (year, month, day) in [
            (2024, 8, 1),
            (0, 1, 1),
            (9999, 12, 31),
            (-5, 1, 2),
            (12_345, 6, 7),
            (999, 99, 99),
        ] {
            let date = Date { year, month, day };
            out.clear();
            date.write_iso(&mut out);
            let clamped = Date {
                year: year.clamp(0, 9999),
                month,
                day,
            };
            assert_eq!(out, clamped.to_string().as_bytes(), "{date:?}");
        }
        // Past two digits (never a real date) each part keeps its last two.
        out.clear();
        Date {
            year: 2024,
            month: 100,
            day: 255,
        }
        .write_iso(&mut out);
        assert_eq!(out, b"2024-00-55");
        for seconds in (0..2 * 86_400).step_by(7) {
            let time = Time { seconds };
            out.clear();
            time.write_iso(&mut out);
            assert_eq!(out, time.to_string().as_bytes(), "{seconds}");
        }
    }

    #[test]
    fn days_round_trip_over_four_centuries() {
        for days in (-200_000..200_000).step_by(37) {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(
            Date::from_days(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        assert_eq!(Date::new(2000, 3, 1).map(Date::to_days), Some(11_017));
    }

    #[test]
    fn iso_parse_and_write() {
        let date = Date::parse_iso("2024-02-29");
        assert_eq!(
            date,
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert_eq!(Date::parse_iso("2023-02-29"), None);
        assert_eq!(Date::parse_iso("2023-2-09"), None);
        let mut out = Vec::new();
        Date {
            year: 2024,
            month: 2,
            day: 9,
        }
        .write_iso(&mut out);
        Time::hm(7, 5).write_iso(&mut out);
        assert_eq!(out, b"2024-02-0907:05:00");
    }

    #[test]
    fn iso_parse_refuses_days_that_do_not_exist() {
        // The occupancy import once checked only 1..=31.
        for text in [
            "2023-02-31",
            "2024-04-31",
            "2023-00-10",
            "2023-13-01",
            "2023-01-00",
        ] {
            assert_eq!(Date::parse_iso(text), None, "{text}");
        }
        for text in [
            " 2024-01-01",
            "2024-01-01 ",
            "2024/01/01",
            "+024-01-01",
            "2024-01-1x",
        ] {
            assert_eq!(Date::parse_iso(text), None, "{text}");
        }
        assert_eq!(
            Date::parse_iso("2024-12-31").map(|d| d.to_string()),
            Some("2024-12-31".to_owned())
        );
    }

    #[test]
    fn time_parse_has_one_set_of_rules() {
        let ok = |text: &str, seconds: u32| {
            assert_eq!(Time::parse(text), Some(Time { seconds }), "{text}");
        };
        ok("09:30", 9 * 3600 + 30 * 60);
        ok("9:30", 9 * 3600 + 30 * 60);
        ok("09:30:00", 9 * 3600 + 30 * 60);
        ok("9:30:45", 9 * 3600 + 30 * 60 + 45);
        ok("0:00", 0);
        ok("23:59:59", 86_399);
        for text in [
            "9:5",
            "09:5",
            "24:00",
            "12:60",
            "12:00:60",
            "123:00",
            "+9:30",
            "9:+3",
            "",
            ":",
            "09:30:",
            "09:30:00:00",
            "9h30",
            " 9:30",
            "9:30 ",
            "09:3O",
            "٩:30",
        ] {
            assert_eq!(Time::parse(text), None, "{text:?}");
        }
        assert_eq!(Time::parse("09:30:59").map(Time::minute_of_day), Some(570));
    }
}
