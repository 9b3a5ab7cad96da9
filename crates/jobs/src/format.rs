//! Numbers as people read them, shared by every shell.

/// 1234567 → "1,234,567".
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, c) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `x` rounded to `digits` significant digits, as a statistic is read aloud: 0.8157678 → "0.816"
/// (3 digits), 13.5124 → "13.51" (4). Whole numbers of `digits` or more digits are rounded to
/// the unit and grouped (30232.8 → "30,233"); no exponents. Not-a-number is "–". The full value
/// belongs in a tooltip and in downloads.
pub fn sig(x: f64, digits: u32) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "–".into()
        } else if x > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    let digits = digits.clamp(1, 15) as i32;
    let magnitude = if x == 0.0 {
        0
    } else {
        x.abs().log10().floor() as i32
    };
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    if decimals == 0 {
        let rounded = x.round();
        let sign = if rounded < 0.0 { "−" } else { "" };
        return format!("{sign}{}", group(rounded.abs() as u64));
    }
    let text = format!("{x:.decimals$}");
    // "-0.000" is zero; a minus sign proper reads better than a hyphen.
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_owned()
    } else {
        text.replacen('-', "−", 1)
    }
}

#[cfg(test)]
mod tests {
    use super::{group, sig};

    #[test]
    fn significant_digits() {
        for (x, digits, text) in [
            (0.8157678520698182, 3, "0.816"),
            (0.8157678520698182, 4, "0.8158"),
            (13.512_4, 4, "13.51"),
            (30_232.8, 4, "30,233"),
            (1_234.5, 4, "1,235"),
            (-2.2195, 3, "−2.22"),
            (0.000_123_45, 3, "0.000123"),
            (0.0, 3, "0.00"),
            (-0.000_01, 2, "−0.000010"),
            (-0.0, 3, "0.00"),
            (f64::NAN, 3, "–"),
            (f64::INFINITY, 3, "∞"),
        ] {
            assert_eq!(sig(x, digits), text, "{x} to {digits}");
        }
    }

    #[test]
    fn groups_thousands() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1234567, "1,234,567"),
        ] {
            assert_eq!(group(n), text);
        }
    }
}
