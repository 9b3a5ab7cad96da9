//! ER diagrams from the schema model: Mermaid and Graphviz DOT text, and a laid-out SVG. Pure
//! functions of [`Table`]s, so the diagram always shows the tables the DDL creates.

use std::fmt::Write as _;

use campus_schema::{Column, ColumnType, Table};

/// The column's type as the MySQL DDL spells it, e.g. `VARCHAR(100)`, `DECIMAL(5,2)`.
pub fn type_label(ty: ColumnType) -> String {
    match ty {
        ColumnType::Int => "INT".to_owned(),
        ColumnType::BigInt => "BIGINT".to_owned(),
        ColumnType::VarChar(n) => format!("VARCHAR({n})"),
        ColumnType::Text => "TEXT".to_owned(),
        ColumnType::Decimal { precision, scale } => format!("DECIMAL({precision},{scale})"),
        ColumnType::Double => "DOUBLE".to_owned(),
        ColumnType::Bool => "BOOLEAN".to_owned(),
        ColumnType::Date => "DATE".to_owned(),
        ColumnType::Time => "TIME".to_owned(),
    }
}

/// The key markers of a column: `PK`, `FK`, `UK`, in that order.
fn keys(column: &Column) -> Vec<&'static str> {
    let mut keys = Vec::new();
    if column.primary_key {
        keys.push("PK");
    }
    if column.references.is_some() {
        keys.push("FK");
    }
    if column.unique {
        keys.push("UK");
    }
    keys
}

/// A Mermaid `erDiagram`: every table with its columns and keys, and one relationship per
/// foreign key (the referenced table's side is "exactly one", or "zero or one" for a nullable
/// key; the referencing side is "many", or "zero or one" for a unique key).
pub fn mermaid(tables: &[Table]) -> String {
    let mut out = String::from("erDiagram\n");
    for table in tables {
        let _ = writeln!(out, "    {} {{", table.name);
        for column in &table.columns {
            // Mermaid types take no commas: DECIMAL(5,2) is shown as DECIMAL(5-2).
            let ty = type_label(column.ty).replace(',', "-");
            let keys = keys(column).join(", ");
            let line = format!("        {ty} {} {keys}", column.name);
            out += line.trim_end();
            out.push('\n');
        }
        out += "    }\n";
    }
    for table in tables {
        for (column, fk) in table.foreign_keys() {
            let parent = if column.nullable { "|o" } else { "||" };
            let child = if column.unique { "o|" } else { "o{" };
            let _ = writeln!(
                out,
                "    {} {parent}--{child} {} : \"{}\"",
                fk.table, table.name, column.name
            );
        }
    }
    out
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A Graphviz DOT digraph: tables as HTML-like record nodes with one port per column, and an
/// edge from each foreign-key column to the column it references (crow's foot on the many side).
pub fn dot(tables: &[Table]) -> String {
    let mut out = String::from("digraph university {\n");
    out += "  graph [rankdir=RL, fontname=\"Helvetica\", nodesep=0.35, ranksep=1.1];\n";
    out += "  node [shape=plain, fontname=\"Helvetica\", fontsize=11];\n";
    out += "  edge [dir=both, arrowtail=crow, color=\"#4a6fa5\"];\n";
    for table in tables {
        let _ = writeln!(
            out,
            "  \"{}\" [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">",
            table.name
        );
        let _ = writeln!(
            out,
            "    <tr><td bgcolor=\"#dbe8f7\"><b>{}</b></td></tr>",
            html_escape(&table.name)
        );
        for column in &table.columns {
            let name = if column.primary_key {
                format!("<u>{}</u>", html_escape(&column.name))
            } else {
                html_escape(&column.name)
            };
            let keys = keys(column).join(" ");
            let _ = writeln!(
                out,
                "    <tr><td port=\"{}\" align=\"left\">{name} <font color=\"#555555\">{}</font> {keys}</td></tr>",
                html_escape(&column.name),
                type_label(column.ty)
            );
        }
        out += "  </table>>];\n";
    }
    for table in tables {
        for (column, fk) in table.foreign_keys() {
            let head = if column.nullable { "teeodot" } else { "teetee" };
            let tail = if column.unique { "teeodot" } else { "crow" };
            let _ = writeln!(
                out,
                "  \"{}\":\"{}\" -> \"{}\":\"{}\" [arrowhead={head}, arrowtail={tail}];",
                table.name, column.name, fk.table, fk.column
            );
        }
    }
    out += "}\n";
    out
}

/// Sizes of the SVG layout, in pixels.
const BOX_WIDTH: f64 = 250.0;
const HEADER: f64 = 26.0;
const ROW: f64 = 19.0;
const GAP_Y: f64 = 26.0;
const GAP_X: f64 = 120.0;
const MARGIN: f64 = 20.0;

struct Placed {
    x: f64,
    y: f64,
}

/// Each table's layer: 0 for tables that reference none, else one more than its deepest parent.
fn layers(tables: &[Table]) -> Vec<usize> {
    let mut layer = vec![0usize; tables.len()];
    // Tables come in dependency order, but do not rely on it: relax until nothing changes.
    for _ in 0..tables.len() {
        let mut changed = false;
        for (idx, table) in tables.iter().enumerate() {
            for (_, fk) in table.foreign_keys() {
                if let Some(parent) = tables.iter().position(|t| t.name == fk.table)
                    && parent != idx
                    && layer[idx] <= layer[parent]
                    && layer[parent] < tables.len()
                {
                    layer[idx] = layer[parent] + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    layer
}

fn box_height(table: &Table) -> f64 {
    HEADER + ROW * table.columns.len() as f64 + 6.0
}

/// Places tables in columns by layer (referenced tables on the left), each column ordered by the
/// average height of the tables its members reference, which keeps most lines short and flat.
fn layout(tables: &[Table]) -> (Vec<Placed>, f64, f64) {
    let layer = layers(tables);
    let n_layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut placed: Vec<Placed> = tables.iter().map(|_| Placed { x: 0.0, y: 0.0 }).collect();
    let mut height: f64 = 0.0;
    for current in 0..n_layers {
        let mut members: Vec<(f64, usize)> = Vec::new();
        for (idx, table) in tables.iter().enumerate() {
            if layer[idx] != current {
                continue;
            }
            let parents: Vec<f64> = table
                .foreign_keys()
                .filter_map(|(_, fk)| tables.iter().position(|t| t.name == fk.table))
                .filter(|&p| layer[p] < current)
                .map(|p| placed[p].y)
                .collect();
            let key = if parents.is_empty() {
                idx as f64
            } else {
                parents.iter().sum::<f64>() / parents.len() as f64
            };
            members.push((key, idx));
        }
        members.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut y = MARGIN;
        for (_, idx) in members {
            placed[idx] = Placed {
                x: MARGIN + current as f64 * (BOX_WIDTH + GAP_X),
                y,
            };
            y += box_height(&tables[idx]) + GAP_Y;
        }
        height = height.max(y - GAP_Y + MARGIN);
    }
    let width =
        2.0 * MARGIN + n_layers as f64 * BOX_WIDTH + n_layers.saturating_sub(1) as f64 * GAP_X;
    (placed, width, height)
}

fn xml_escape(text: &str) -> String {
    html_escape(text).replace('\'', "&apos;")
}

/// The ER diagram as a standalone SVG: boxes with a header and one line per column (key columns
/// marked, types in grey), and a curve from each foreign-key column to the referenced key.
/// Large type and high contrast, so it reads on a projector.
pub fn svg(tables: &[Table]) -> String {
    let (placed, width, height) = layout(tables);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">"
    );
    out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    // Lines first, so boxes are drawn over their ends.
    out += "<g fill=\"none\" stroke=\"#4a6fa5\" stroke-width=\"1.4\">\n";
    for (idx, table) in tables.iter().enumerate() {
        for (col_idx, column) in table.columns.iter().enumerate() {
            let Some(fk) = &column.references else {
                continue;
            };
            let Some(parent) = tables.iter().position(|t| t.name == fk.table) else {
                continue;
            };
            let parent_row = tables[parent]
                .columns
                .iter()
                .position(|c| c.name == fk.column);
            debug_assert!(
                parent_row.is_some(),
                "{} references no column {}",
                table.name,
                fk.column
            );
            let parent_row = parent_row.unwrap_or(0);
            let row_y = |p: &Placed, row: usize| p.y + HEADER + ROW * (row as f64 + 0.5) + 3.0;
            let (x1, y1) = (placed[idx].x, row_y(&placed[idx], col_idx));
            let (x2, y2) = (
                placed[parent].x + BOX_WIDTH,
                row_y(&placed[parent], parent_row),
            );
            let bend = ((x1 - x2).abs() / 2.0).max(40.0);
            let dash = if column.nullable {
                " stroke-dasharray=\"5 3\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  <path d=\"M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}\"{dash}><title>{}.{} → {}.{}</title></path>",
                x1 - bend,
                x2 + bend,
                xml_escape(&table.name),
                xml_escape(&column.name),
                xml_escape(&fk.table),
                xml_escape(&fk.column)
            );
            // The many side: a small crow's foot at the referencing column.
            let _ = writeln!(
                out,
                "  <path d=\"M{:.1},{y1:.1} L{x1:.1},{:.1} M{:.1},{y1:.1} L{x1:.1},{:.1}\"/>",
                x1 - 9.0,
                y1 - 5.0,
                x1 - 9.0,
                y1 + 5.0
            );
        }
    }
    out += "</g>\n";
    for (table, place) in tables.iter().zip(&placed) {
        let (x, y, h) = (place.x, place.y, box_height(table));
        let _ = writeln!(out, "<g id=\"table-{}\">", xml_escape(&table.name));
        let _ = writeln!(
            out,
            "  <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{BOX_WIDTH}\" height=\"{h:.1}\" rx=\"4\" fill=\"#ffffff\" stroke=\"#1f3b63\" stroke-width=\"1.5\"/>"
        );
        let _ = writeln!(
            out,
            "  <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{BOX_WIDTH}\" height=\"{HEADER}\" rx=\"4\" fill=\"#1f3b63\"/>"
        );
        let _ = writeln!(
            out,
            "  <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#ffffff\" font-weight=\"bold\" font-size=\"14\">{}</text>",
            x + 8.0,
            y + 18.0,
            xml_escape(&table.name)
        );
        for (row, column) in table.columns.iter().enumerate() {
            let ty = y + HEADER + ROW * (row as f64 + 1.0) - 1.0;
            let keys = keys(column).join(" ");
            let weight = if column.primary_key {
                " font-weight=\"bold\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  <text x=\"{:.1}\" y=\"{ty:.1}\" fill=\"#111111\"{weight}>{}</text><text x=\"{:.1}\" y=\"{ty:.1}\" fill=\"#666666\" text-anchor=\"end\">{} <tspan fill=\"#a33\">{keys}</tspan></text>",
                x + 8.0,
                xml_escape(&column.name),
                x + BOX_WIDTH - 8.0,
                type_label(column.ty)
            );
        }
        out += "</g>\n";
    }
    out += "</svg>\n";
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn university() -> Vec<Table> {
        campus_gen::schema::tables()
    }

    #[test]
    fn mermaid_lists_every_table_column_and_reference() {
        let tables = university();
        let text = mermaid(&tables);
        assert!(text.starts_with("erDiagram\n"));
        for table in &tables {
            assert!(text.contains(&format!("    {} {{\n", table.name)));
        }
        let n_columns: usize = tables.iter().map(|t| t.columns.len()).sum();
        let n_fks: usize = tables.iter().map(|t| t.foreign_keys().count()).sum();
        assert_eq!(
            text.lines().filter(|l| l.starts_with("        ")).count(),
            n_columns
        );
        assert_eq!(text.matches("--").count(), n_fks);
        assert!(text.contains("        INT student_id PK\n"));
        assert!(text.contains("        VARCHAR(150) email UK\n"));
        assert!(text.contains("        DECIMAL(5-2) final_score\n"));
        assert!(text.contains("        INT student_id FK, UK\n"));
        assert!(text.contains("    students ||--o{ student_marks : \"student_id\"\n"));
        // A nullable, unique key: zero or one on both sides.
        assert!(text.contains("    students |o--o| applicants : \"student_id\"\n"));
        assert!(!text.lines().any(|l| l.ends_with(' ')));
    }

    #[test]
    fn dot_has_a_node_per_table_and_an_edge_per_key() {
        let tables = university();
        let text = dot(&tables);
        assert!(text.starts_with("digraph university {\n") && text.ends_with("}\n"));
        assert_eq!(text.matches("[label=<").count(), tables.len());
        let n_fks: usize = tables.iter().map(|t| t.foreign_keys().count()).sum();
        assert_eq!(text.matches(" -> ").count(), n_fks);
        assert!(text.contains(
            "  \"courses\":\"department_id\" -> \"departments\":\"department_id\" [arrowhead=teetee, arrowtail=crow];"
        ));
        assert!(text.contains("<u>course_id</u>"));
        assert_eq!(text.matches('{').count(), text.matches('}').count());
    }

    #[test]
    fn svg_places_every_table_without_overlap() {
        let tables = university();
        let text = svg(&tables);
        assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(text.ends_with("</svg>\n"));
        assert_eq!(text.matches("<g id=\"table-").count(), tables.len());
        let n_fks: usize = tables.iter().map(|t| t.foreign_keys().count()).sum();
        assert_eq!(text.matches("<title>").count(), n_fks);
        let (placed, width, height) = layout(&tables);
        for (a, ta) in placed.iter().zip(&tables) {
            assert!(a.x + BOX_WIDTH <= width && a.y + box_height(ta) <= height);
            for (b, tb) in placed.iter().zip(&tables) {
                if std::ptr::eq(a, b) {
                    continue;
                }
                let apart = a.x + BOX_WIDTH <= b.x
                    || b.x + BOX_WIDTH <= a.x
                    || a.y + box_height(ta) <= b.y
                    || b.y + box_height(tb) <= a.y;
                assert!(apart, "{} overlaps {}", ta.name, tb.name);
            }
        }
        // Referenced tables sit left of the tables that reference them.
        for (idx, table) in tables.iter().enumerate() {
            for (_, fk) in table.foreign_keys() {
                let parent = tables
                    .iter()
                    .position(|t| t.name == fk.table)
                    .unwrap_or(idx);
                assert!(
                    placed[parent].x < placed[idx].x,
                    "{} -> {}",
                    table.name,
                    fk.table
                );
            }
        }
        // Wide enough to read on a projector without being a poster: at most five columns.
        assert!(width <= 5.0 * (BOX_WIDTH + GAP_X), "{width}");
    }
}
