//! String literals and identifiers for MySQL with backslash escapes (the default SQL mode, which
//! our scripts set explicitly so a server configured with NO_BACKSLASH_ESCAPES cannot misread them),
//! and for PostgreSQL and SQLite with standard strings (a quote doubled, every other byte as is).

use campus_schema::sink;

use crate::Dialect;

/// Bytes that must be escaped inside a single-quoted literal, and their escape letter.
const fn escape_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    table[0] = b'0';
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table[b'\\' as usize] = b'\\';
    table[b'\'' as usize] = b'\'';
    table[b'"' as usize] = b'"';
    // Ctrl-Z ends a file on Windows when a script is piped through `type`.
    table[0x1A] = b'Z';
    table
}

static ESCAPES: [u8; 256] = escape_table();

/// Whether `ESCAPES` may have an escape for a byte of `word`: every escaped byte is below `(`
/// except the backslash.
#[inline]
fn may_escape(word: u64) -> bool {
    sink::word_has_less(word, b'(') | sink::word_has_byte(word, b'\\')
}

/// Appends `'value'` with every special byte escaped; all other bytes, including any UTF-8
/// sequence (4-byte emoji too), pass through unchanged.
pub fn push_literal(out: &mut Vec<u8>, value: &str) {
    out.push(b'\'');
    let bytes = value.as_bytes();
    if !sink::any_byte(bytes, may_escape, |b| ESCAPES[usize::from(b)] != 0) {
        out.extend_from_slice(bytes);
        out.push(b'\'');
        return;
    }
    let mut start = 0;
    for (idx, &b) in bytes.iter().enumerate() {
        let escape = ESCAPES[usize::from(b)];
        if escape != 0 {
            out.extend_from_slice(&bytes[start..idx]);
            out.push(b'\\');
            out.push(escape);
            start = idx + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'\'');
}

/// Appends a back-quoted identifier; a back-quote inside is doubled.
pub fn push_ident(out: &mut Vec<u8>, name: &str) {
    sink::push_quoted(out, name.as_bytes(), b'`');
}

/// Appends `'value'` as `dialect` reads it.
///
/// Standard strings cannot hold a NUL byte (PostgreSQL's text never can; the `sqlite3` tool
/// would cut the line there), so a NUL is written outside the quotes as `char(0)` (SQLite) or
/// `chr(0)` (PostgreSQL, which refuses it at load with "null character not permitted": a loud
/// failure rather than a changed value).
pub fn push_literal_in(dialect: Dialect, out: &mut Vec<u8>, value: &str) {
    if dialect == Dialect::MySql {
        return push_literal(out, value);
    }
    let nul: &[u8] = if dialect == Dialect::Sqlite {
        b"char(0)"
    } else {
        b"chr(0)"
    };
    if !sink::any_byte(
        value.as_bytes(),
        |word| sink::word_has_byte(word, b'\'') | sink::word_has_less(word, 1),
        |b| b == b'\'' || b == 0,
    ) {
        out.push(b'\'');
        out.extend_from_slice(value.as_bytes());
        out.push(b'\'');
        return;
    }
    for (idx, piece) in value.split('\0').enumerate() {
        if idx > 0 {
            out.extend_from_slice(b" || ");
            out.extend_from_slice(nul);
            out.extend_from_slice(b" || ");
        }
        sink::push_quoted(out, piece.as_bytes(), b'\'');
    }
}

/// Appends a quoted identifier as `dialect` reads it: back-quoted for MySQL, double-quoted for
/// the others, the quote character doubled inside.
pub fn push_ident_in(dialect: Dialect, out: &mut Vec<u8>, name: &str) {
    if dialect == Dialect::MySql {
        return push_ident(out, name);
    }
    sink::push_quoted(out, name.as_bytes(), b'"');
}

pub fn ident(name: &str) -> String {
    let mut out = Vec::with_capacity(name.len() + 2);
    push_ident(&mut out, name);
    String::from_utf8_lossy(&out).into_owned()
}

pub fn literal(value: &str) -> String {
    let mut out = Vec::with_capacity(value.len() + 2);
    push_literal(&mut out, value);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_byte() {
        let cases = [
            ("O'Brien", r"'O\'Brien'"),
            (
                "Robert'); DROP TABLE students;--",
                r"'Robert\'); DROP TABLE students;--'",
            ),
            ("back\\slash", r"'back\\slash'"),
            ("nul\0byte", r"'nul\0byte'"),
            ("line\nbreak\r\n", r"'line\nbreak\r\n'"),
            ("ctrl\u{1A}z \"q\"", r#"'ctrl\Zz \"q\"'"#),
            ("tab\there 🎓 Nguyễn", "'tab\there 🎓 Nguyễn'"),
            ("", "''"),
        ];
        for (input, expected) in cases {
            assert_eq!(literal(input), expected, "{input:?}");
        }
        assert_eq!(ident("we`ird"), "`we``ird`");
    }

    #[test]
    fn the_word_test_passes_every_escaped_byte() {
        for b in 0..=u8::MAX {
            if ESCAPES[usize::from(b)] != 0 {
                assert!(may_escape(u64::from_le_bytes([b; 8])), "{b:#04x}");
            }
        }
    }

    fn standard(dialect: Dialect, value: &str) -> String {
        let mut out = Vec::new();
        push_literal_in(dialect, &mut out, value);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn standard_strings_double_the_quote_and_keep_backslashes() {
        for dialect in [Dialect::Postgres, Dialect::Sqlite] {
            assert_eq!(standard(dialect, "O'Brien"), "'O''Brien'");
            assert_eq!(standard(dialect, "back\\slash\n"), "'back\\slash\n'");
            assert_eq!(standard(dialect, "line\nbreak 🎓"), "'line\nbreak 🎓'");
            assert_eq!(standard(dialect, ""), "''");
            let mut name = Vec::new();
            push_ident_in(dialect, &mut name, "we\"ird`");
            assert_eq!(String::from_utf8_lossy(&name), "\"we\"\"ird`\"");
        }
        assert_eq!(
            standard(Dialect::Sqlite, "nul\0byte"),
            "'nul' || char(0) || 'byte'"
        );
        assert_eq!(standard(Dialect::Postgres, "\0"), "'' || chr(0) || ''");
        assert_eq!(standard(Dialect::MySql, "O'Brien"), literal("O'Brien"));
    }
}
