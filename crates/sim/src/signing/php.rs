//! PHP's `(string)` cast of a value produced by `json_decode($json, true)`, for numbers.
//!
//! Integer literals that fit an `i64` become PHP ints and print as such. Everything else is a
//! PHP float, printed with `precision = 14` significant digits in `%.14G` style: no trailing
//! zeros, no trailing `.0` for integral values, and exponential form (`1.0E+14`, `1.0E-5`)
//! when the decimal exponent is below -4 or 14 and above. The rounding works on the decimal
//! literal, which matches PHP's rounding of the parsed double for literals of at most 15
//! significant digits (every amount the simulator writes); decimal ties round to even.

/// PHP's string form of the JSON number `literal`. `None` if `literal` is not a number.
pub(crate) fn number_to_string(literal: &str) -> Option<String> {
    let literal = literal.trim();
    if !literal.contains(['.', 'e', 'E']) {
        if let Ok(int) = literal.parse::<i64>() {
            return Some(int.to_string());
        }
    }
    float_to_string(literal)
}

fn float_to_string(literal: &str) -> Option<String> {
    let (negative, unsigned) = match literal.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, literal),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.strip_prefix('+').unwrap_or(e).parse::<i64>().ok()?),
        None => (unsigned, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    // value = 0.<digits> x 10^point
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    let mut point = i64::try_from(int.len()).ok()?.checked_add(exponent)?;
    let leading = digits.iter().take_while(|d| **d == 0).count();
    digits.drain(..leading);
    point = point.checked_sub(i64::try_from(leading).ok()?)?;
    trim_trailing_zeros(&mut digits);
    if digits.is_empty() {
        return Some(if negative { "-0" } else { "0" }.to_owned());
    }
    if digits.len() > 14 {
        // Nearest, ties to even (what dtoa does for an exactly representable tie).
        let next = digits.get(14).copied().unwrap_or(0);
        let beyond = digits.iter().skip(15).any(|d| *d != 0);
        let last_odd = digits.get(13).is_some_and(|d| d % 2 == 1);
        let round_up = next > 5 || (next == 5 && (beyond || last_odd));
        digits.truncate(14);
        if round_up && carry(&mut digits) {
            digits.insert(0, 1);
            digits.truncate(14);
            point = point.checked_add(1)?;
        }
        trim_trailing_zeros(&mut digits);
    }
    let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    let body = if !(-3..=14).contains(&point) {
        let (first, rest) = text.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        let exp = point - 1;
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{first}.{rest}E{sign}{}", exp.unsigned_abs())
    } else if point <= 0 {
        let zeros = "0".repeat(usize::try_from(-point).ok()?);
        format!("0.{zeros}{text}")
    } else {
        let point = usize::try_from(point).ok()?;
        if point >= text.len() {
            format!("{text}{}", "0".repeat(point - text.len()))
        } else {
            let (i, f) = text.split_at(point);
            format!("{i}.{f}")
        }
    };
    Some(if negative { format!("-{body}") } else { body })
}

fn trim_trailing_zeros(digits: &mut Vec<u8>) {
    while digits.last() == Some(&0) {
        digits.pop();
    }
}

/// Adds one unit in the last place; returns true when the carry runs off the front.
fn carry(digits: &mut [u8]) -> bool {
    for d in digits.iter_mut().rev() {
        if *d == 9 {
            *d = 0;
        } else {
            *d += 1;
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::number_to_string as s;

    #[test]
    fn integers_stay_integers() {
        assert_eq!(s("10").as_deref(), Some("10"));
        assert_eq!(s("-0").as_deref(), Some("0"));
        assert_eq!(s("-42").as_deref(), Some("-42"));
        assert_eq!(
            s("9223372036854775808").as_deref(),
            Some("9.2233720368548E+18")
        );
    }

    #[test]
    fn floats_print_like_php() {
        for (input, php) in [
            ("10.25", "10.25"),
            ("10.00", "10"),
            ("10.0", "10"),
            ("2.50", "2.5"),
            ("0.5", "0.5"),
            ("1775.00", "1775"),
            ("0.0001", "0.0001"),
            ("0.00001", "1.0E-5"),
            ("1e14", "1.0E+14"),
            ("1e13", "10000000000000"),
            ("123456789012345.0", "1.2345678901234E+14"),
            ("0.1234567890123456", "0.12345678901235"),
            ("123456789012355.0", "1.2345678901236E+14"),
            ("1234567890123451", "1234567890123451"),
            ("1234567890123451.0", "1.2345678901235E+15"),
            ("9.99999999999999", "10"),
            ("-0.0", "-0"),
            ("1.5E3", "1500"),
            ("2.5e-7", "2.5E-7"),
        ] {
            assert_eq!(s(input).as_deref(), Some(php), "{input}");
        }
    }

    #[test]
    fn rejects_non_numbers() {
        for bad in [
            "",
            "abc",
            "1e",
            "-",
            ".5",
            "1.2.3",
            "1e99999999999999999999",
        ] {
            assert_eq!(s(bad), None, "{bad}");
        }
    }
}
