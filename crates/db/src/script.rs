//! Splitting an SQL script into statements and finding the statement under the cursor: pure
//! functions over text, aware of quotes, comments and trigger bodies.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// A place in a text: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The line and column of byte `offset` in `text` (an offset past the end or inside a character
/// is taken back to the nearest character start).
pub fn position_of(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// The byte ranges of the statements of `sql`, in order. A range starts at the statement's first
/// token (leading blanks and comments are left out) and ends after its `;` (or at the end of the
/// text for a last statement without one). Semicolons inside strings, quoted names, comments and
/// `CREATE TRIGGER … BEGIN … END` bodies do not split. Empty statements (`;;`) are skipped.
pub fn split_statements(sql: &str) -> Vec<Range<usize>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    // Words of the current statement, uppercased, as far as needed to see a trigger.
    let mut first_words: Vec<String> = Vec::new();
    let mut last_word = String::new();
    let mut in_trigger = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            b';' => {
                if let Some(s) = start {
                    let trigger_open = in_trigger && last_word != "END";
                    if !trigger_open {
                        out.push(s..i + 1);
                        start = None;
                        first_words.clear();
                        in_trigger = false;
                    }
                }
                last_word.clear();
                i += 1;
                continue;
            }
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        start.get_or_insert(i);
        let end = match b {
            b'\'' | b'"' | b'`' => quoted_end(bytes, i, b),
            b'[' => bytes[i..]
                .iter()
                .position(|&c| c == b']')
                .map_or(bytes.len(), |n| i + n + 1),
            b if is_word_byte(b) => {
                let end = bytes[i..]
                    .iter()
                    .position(|&c| !is_word_byte(c))
                    .map_or(bytes.len(), |n| i + n);
                last_word = sql[i..end].to_ascii_uppercase();
                if first_words.len() < 3 {
                    first_words.push(last_word.clone());
                    in_trigger = is_create_trigger(&first_words);
                }
                i = end;
                continue;
            }
            _ => i + 1,
        };
        last_word.clear();
        i = end;
    }
    if let Some(s) = start {
        out.push(s..bytes.len());
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_create_trigger(words: &[String]) -> bool {
    match words {
        [create, trigger, ..] if create == "CREATE" && trigger == "TRIGGER" => true,
        [create, temp, trigger]
            if create == "CREATE"
                && (temp == "TEMP" || temp == "TEMPORARY")
                && trigger == "TRIGGER" =>
        {
            true
        }
        _ => false,
    }
}

/// The end (exclusive) of a quoted token opening at `start`; a doubled quote is an escaped one.
fn quoted_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// The statement the cursor (a byte offset) is in: the one whose range holds it, else the last
/// one ending before it (the cursor just after `…;` or on a blank line below it), else the first
/// one after it. `None` when the script has no statement.
pub fn statement_at(sql: &str, cursor: usize) -> Option<Range<usize>> {
    let statements = split_statements(sql);
    if let Some(inside) = statements
        .iter()
        .find(|r| r.start <= cursor && cursor < r.end)
    {
        return Some(inside.clone());
    }
    statements
        .iter()
        .rev()
        .find(|r| r.end <= cursor)
        .or_else(|| statements.first())
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(sql: &str) -> Vec<&str> {
        split_statements(sql).into_iter().map(|r| &sql[r]).collect()
    }

    fn at(sql: &str, cursor: usize) -> Option<&str> {
        statement_at(sql, cursor).map(|r| &sql[r])
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_and_comments() {
        assert_eq!(split("SELECT 1; SELECT 2"), ["SELECT 1;", "SELECT 2"]);
        assert_eq!(split("  SELECT 1 ;\n\n"), ["SELECT 1 ;"]);
        assert_eq!(
            split("SELECT ';' ; SELECT 'it''s;'"),
            ["SELECT ';' ;", "SELECT 'it''s;'"]
        );
        assert_eq!(
            split("SELECT \"a;b\" FROM [x;y]; SELECT `c;`"),
            ["SELECT \"a;b\" FROM [x;y];", "SELECT `c;`"]
        );
        assert_eq!(
            split("-- one; two\nSELECT 1; /* ; */ SELECT 2;"),
            ["SELECT 1;", "SELECT 2;"]
        );
        assert_eq!(
            split("SELECT 1 -- trailing; comment\n;"),
            ["SELECT 1 -- trailing; comment\n;"]
        );
    }

    #[test]
    fn empty_and_unterminated_input() {
        assert!(split("").is_empty());
        assert!(split("  ;; -- nothing\n /* here */ ").is_empty());
        assert_eq!(split("SELECT 'open; string"), ["SELECT 'open; string"]);
        assert_eq!(
            split("SELECT 1 /* open; comment"),
            ["SELECT 1 /* open; comment"]
        );
        assert_eq!(
            split("SELECT 'é;ü'; SELECT 2"),
            ["SELECT 'é;ü';", "SELECT 2"]
        );
    }

    #[test]
    fn trigger_bodies_stay_whole() {
        let sql = "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); UPDATE c SET x = 1; END; SELECT 1;";
        assert_eq!(
            split(sql),
            [
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); UPDATE c SET x = 1; END;",
                "SELECT 1;"
            ]
        );
        let temp = "create temp trigger t after delete on a begin delete from b; end; select 2";
        assert_eq!(split(temp).len(), 2);
        // A table that merely mentions a trigger is no trigger.
        assert_eq!(split("CREATE TABLE trigger_log (x); SELECT 1").len(), 2);
    }

    #[test]
    fn statement_under_the_cursor() {
        let sql = "SELECT 1;\nSELECT 2;\n\nSELECT 3";
        assert_eq!(at(sql, 0), Some("SELECT 1;"));
        assert_eq!(at(sql, 8), Some("SELECT 1;"));
        // Just after the semicolon, still on the first line.
        assert_eq!(at(sql, 9), Some("SELECT 1;"));
        assert_eq!(at(sql, 10), Some("SELECT 2;"));
        // On the blank line below the second statement.
        assert_eq!(at(sql, 20), Some("SELECT 2;"));
        assert_eq!(at(sql, sql.len()), Some("SELECT 3"));
        assert_eq!(at("  \n SELECT 9", 0), Some("SELECT 9"));
        assert_eq!(at("  -- only a comment", 3), None);
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "SELECT\n  é, x";
        assert_eq!(position_of(text, 0), Position { line: 1, column: 1 });
        assert_eq!(position_of(text, 9), Position { line: 2, column: 3 });
        // Inside the two bytes of é: taken back to its start.
        assert_eq!(position_of(text, 10), Position { line: 2, column: 3 });
        assert_eq!(position_of(text, 11), Position { line: 2, column: 4 });
        assert_eq!(position_of(text, 999), Position { line: 2, column: 7 });
    }
}
