//! The reports' Markdown as blocks a page can draw as HTML: the subset the studio writes
//! (`campus_etl::report`): `#` headings, paragraphs, `-` lists one level deep, GitHub tables with
//! their alignment row, and `**strong**` and `` `code` `` inside text. Anything else is kept as
//! plain text, never dropped.

/// A run of text inside a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    Text(String),
    Strong(String),
    Code(String),
}

/// A list item and the items nested under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub text: Vec<Span>,
    pub children: Vec<Vec<Span>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<Vec<Span>>,
    /// Per column: right-aligned (`---:`), as numbers are.
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<Vec<Span>>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Level 1–6 and its text.
    Heading(u8, Vec<Span>),
    Paragraph(Vec<Span>),
    List(Vec<Item>),
    Table(Table),
}

/// Splits `text` into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            i += 1;
        } else if let Some((level, title)) = heading(trimmed) {
            out.push(Block::Heading(level, spans(title)));
            i += 1;
        } else if trimmed.starts_with('|')
            && let Some((table, used)) = table(lines.get(i..).unwrap_or_default())
        {
            out.push(Block::Table(table));
            i += used;
        } else if trimmed.starts_with("- ") {
            let (items, used) = list(lines.get(i..).unwrap_or_default());
            out.push(Block::List(items));
            i += used;
        } else {
            // A paragraph runs to the next blank line or block.
            let mut text = String::new();
            while let Some(line) = lines.get(i).map(|l| l.trim_end()) {
                let starts_block = heading(line).is_some()
                    || line.starts_with("- ")
                    || (line.starts_with('|') && !text.is_empty());
                if line.is_empty() || (starts_block && !text.is_empty()) {
                    break;
                }
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(line.trim_start());
                i += 1;
            }
            out.push(Block::Paragraph(spans(&text)));
        }
    }
    out
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    let rest = line.get(hashes..)?;
    (1..=6)
        .contains(&hashes)
        .then(|| rest.strip_prefix(' '))
        .flatten()
        .map(|title| (hashes as u8, title.trim()))
}

fn list(lines: &[&str]) -> (Vec<Item>, usize) {
    let mut items: Vec<Item> = Vec::new();
    let mut used = 0;
    for line in lines {
        let line = line.trim_end();
        if let Some(text) = line.strip_prefix("- ") {
            items.push(Item {
                text: spans(text),
                children: Vec::new(),
            });
        } else if let Some(text) = line.trim_start().strip_prefix("- ")
            && line.starts_with(' ')
            && let Some(parent) = items.last_mut()
        {
            parent.children.push(spans(text));
        } else {
            break;
        }
        used += 1;
    }
    (items, used)
}

/// A table: a header row, an alignment row, then rows; `None` if the second line is not an
/// alignment row (the lines are then a paragraph).
fn table(lines: &[&str]) -> Option<(Table, usize)> {
    let header = cells(lines.first()?);
    let align = cells(lines.get(1)?);
    let is_rule = |c: &String| {
        let c = c.trim();
        !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':'))
    };
    if align.is_empty() || !align.iter().all(is_rule) {
        return None;
    }
    let numeric = align.iter().map(|c| c.trim().ends_with(':')).collect();
    let mut rows = Vec::new();
    let mut used = 2;
    while let Some(line) = lines.get(used).map(|l| l.trim()) {
        if !line.starts_with('|') {
            break;
        }
        rows.push(cells(line).iter().map(|c| spans(c)).collect());
        used += 1;
    }
    let table = Table {
        header: header.iter().map(|c| spans(c)).collect(),
        numeric,
        rows,
    };
    Some((table, used))
}

/// The cells of `| a | b \| c |`, unescaping `\|`.
fn cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let inner = line.strip_prefix('|').unwrap_or(line);
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => out.push(std::mem::take(&mut cell).trim().to_owned()),
            c => cell.push(c),
        }
    }
    if !cell.trim().is_empty() {
        out.push(cell.trim().to_owned());
    }
    out
}

/// `**strong**` and `` `code` `` inside text; an unclosed marker stays as text.
pub fn spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let marker = if rest.starts_with("**") {
            Some(("**", true))
        } else if rest.starts_with('`') {
            Some(("`", false))
        } else {
            None
        };
        if let Some((marker, strong)) = marker
            && let Some(end) = rest.get(marker.len()..).and_then(|r| r.find(marker))
        {
            let inner = rest
                .get(marker.len()..marker.len() + end)
                .unwrap_or_default();
            if !plain.is_empty() {
                out.push(Span::Text(std::mem::take(&mut plain)));
            }
            let inner = inner.to_owned();
            out.push(if strong {
                Span::Strong(inner)
            } else {
                Span::Code(inner)
            });
            rest = rest.get(2 * marker.len() + end..).unwrap_or_default();
            continue;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            plain.push(c);
        }
        rest = chars.as_str();
    }
    if !plain.is_empty() {
        out.push(Span::Text(plain));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Vec<Span> {
        vec![Span::Text(s.into())]
    }

    #[test]
    fn the_subset_the_report_uses() {
        let md = "# Campus ETL report\n\nstudent_hash: SHA-256 of `a-b`. Outputs: yes.\n\n\
                  ### Students — `s.csv`\n\n5 rows, 3 columns.\n\n**This file could not be used.**\n\n\
                  | column | type | nulls |\n|---|---|---:|\n| roll\\|no | text | 0 |\n\n\
                  - **2**: duplicate rows\n  - line 4: `1,2`\n- **1**: orphans\n";
        let blocks = blocks(md);
        assert_eq!(
            blocks,
            vec![
                Block::Heading(1, text("Campus ETL report")),
                Block::Paragraph(vec![
                    Span::Text("student_hash: SHA-256 of ".into()),
                    Span::Code("a-b".into()),
                    Span::Text(". Outputs: yes.".into()),
                ]),
                Block::Heading(
                    3,
                    vec![Span::Text("Students — ".into()), Span::Code("s.csv".into())]
                ),
                Block::Paragraph(text("5 rows, 3 columns.")),
                Block::Paragraph(vec![Span::Strong("This file could not be used.".into())]),
                Block::Table(Table {
                    header: vec![text("column"), text("type"), text("nulls")],
                    numeric: vec![false, false, true],
                    rows: vec![vec![text("roll|no"), text("text"), text("0")]],
                }),
                Block::List(vec![
                    Item {
                        text: vec![
                            Span::Strong("2".into()),
                            Span::Text(": duplicate rows".into())
                        ],
                        children: vec![vec![
                            Span::Text("line 4: ".into()),
                            Span::Code("1,2".into())
                        ]],
                    },
                    Item {
                        text: vec![Span::Strong("1".into()), Span::Text(": orphans".into())],
                        children: vec![],
                    },
                ]),
            ]
        );
    }

    #[test]
    fn nothing_is_dropped() {
        // Unclosed markers, a pipe line that is no table, a lone hash: all kept as text.
        let blocks = blocks("a **b and `c\n| not a table\n#nospace\n");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(text("a **b and `c")),
                Block::Paragraph(text("| not a table #nospace")),
            ]
        );
        assert_eq!(super::blocks(""), vec![]);
    }
}
