//! Durations as people type them: `1d`, `2h30m`, `90s`, `1w`, `45` (seconds), `-1h`.

/// Seconds in a duration written as numbers followed by units (`w`, `d`, `h`, `m`, `s`).
pub fn seconds(text: &str) -> Result<f64, String> {
    let bad = || {
        format!(
            "{text:?} is not a duration: write numbers with units, such as 1d, 2h30m, 90s or 1w"
        )
    };
    let trimmed = text.trim();
    let (sign, body) = match trimmed.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    if body.is_empty() {
        return Err(bad());
    }
    if let Ok(plain) = body.parse::<f64>() {
        return plain.is_finite().then_some(sign * plain).ok_or_else(bad);
    }
    let mut total = 0.0;
    let mut number = String::new();
    for c in body.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let unit = match c {
            'w' => 7.0 * 86_400.0,
            'd' => 86_400.0,
            'h' => 3_600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return Err(bad()),
        };
        let value: f64 = number.parse().map_err(|_| bad())?;
        total += value * unit;
        number.clear();
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(sign * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_add_up() {
        assert_eq!(seconds("1d"), Ok(86_400.0));
        assert_eq!(seconds("2h30m"), Ok(9_000.0));
        assert_eq!(seconds("1w"), Ok(604_800.0));
        assert_eq!(seconds("90"), Ok(90.0));
        assert_eq!(seconds("-1h"), Ok(-3_600.0));
        assert_eq!(seconds("1.5h"), Ok(5_400.0));
    }

    #[test]
    fn nonsense_is_refused() {
        for text in ["", "d", "1x", "1d2", "tomorrow", "-"] {
            assert!(seconds(text).is_err(), "{text}");
        }
    }
}
