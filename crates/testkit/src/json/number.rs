//! JSON number literals as exact decimals, compared and formatted without `f64`.

use std::fmt;

/// The largest decimal exponent accepted, so that formatting stays small.
const MAX_EXPONENT: i64 = 4096;

/// Why a number literal was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{literal}` is not a JSON number literal this tool can handle: {reason}")]
pub struct NumberError {
    literal: String,
    reason: &'static str,
}

/// A JSON number literal as the exact decimal `digits × 10^exponent`.
///
/// Two literals of the same value (`10`, `10.0`, `1e1`) give equal `ExactDecimal`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactDecimal {
    negative: bool,
    /// Significant digits without leading or trailing zeros; empty for zero.
    digits: String,
    exponent: i64,
}

impl ExactDecimal {
    /// Parses a JSON number literal (`-?int(.frac)?([eE][+-]?exp)?`).
    pub fn parse(literal: &str) -> Result<Self, NumberError> {
        let fail = |reason| NumberError {
            literal: literal.to_owned(),
            reason,
        };
        let (negative, unsigned) = match literal.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, literal),
        };
        let (mantissa, exp_text) = match unsigned.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e)),
            None => (unsigned, None),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
            return Err(fail("malformed digits"));
        }
        if mantissa.contains('.') && frac_part.is_empty() {
            return Err(fail("no digits after the decimal point"));
        }
        let written_exponent = match exp_text {
            None => 0,
            Some(text) => {
                let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
                if digits.is_empty() || digits.len() > 6 || !all_digits(digits) {
                    return Err(fail("exponent malformed or too large"));
                }
                text.parse::<i64>()
                    .map_err(|_| fail("exponent malformed"))?
            }
        };
        let frac_len = i64::try_from(frac_part.len()).map_err(|_| fail("too many digits"))?;
        let mut digits: String = format!("{int_part}{frac_part}")
            .trim_start_matches('0')
            .to_owned();
        let mut exponent = written_exponent - frac_len;
        while digits.ends_with('0') {
            digits.pop();
            exponent += 1;
        }
        if digits.is_empty() {
            return Ok(Self {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        let magnitude = exponent + i64::try_from(digits.len()).unwrap_or(i64::MAX);
        if exponent.abs() > MAX_EXPONENT || magnitude.abs() > MAX_EXPONENT {
            return Err(fail("exponent out of range"));
        }
        Ok(Self {
            negative,
            digits,
            exponent,
        })
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Formats with exactly `places` fraction digits, rounding half away from zero
    /// (PHP `number_format($v, places, '.', '')`, given an exact decimal).
    pub fn to_fixed(&self, places: u32) -> String {
        let scaled = self.rounded_integer(self.exponent + i64::from(places));
        let places = usize::try_from(places).unwrap_or(usize::MAX);
        let padded = format!("{scaled:0>width$}", width = places.saturating_add(1));
        let (int_part, frac_part) = padded.split_at(padded.len() - places);
        let sign = if self.negative && scaled.bytes().any(|b| b != b'0') {
            "-"
        } else {
            ""
        };
        if frac_part.is_empty() {
            format!("{sign}{int_part}")
        } else {
            format!("{sign}{int_part}.{frac_part}")
        }
    }

    /// `round(digits × 10^shift)` as a string of decimal digits, rounding half away from zero.
    fn rounded_integer(&self, shift: i64) -> String {
        if shift >= 0 {
            let zeros = usize::try_from(shift).unwrap_or(0);
            let number = format!("{}{}", self.digits, "0".repeat(zeros));
            return if number.is_empty() {
                "0".into()
            } else {
                number
            };
        }
        let cut = usize::try_from(-shift).unwrap_or(usize::MAX);
        if cut > self.digits.len() {
            return "0".into();
        }
        let (kept, dropped) = self.digits.split_at(self.digits.len() - cut);
        let round_up = dropped.as_bytes().first().is_some_and(|&d| d >= b'5');
        let kept = if kept.is_empty() { "0" } else { kept };
        if round_up {
            increment(kept)
        } else {
            kept.to_owned()
        }
    }

    /// Formats like PHP's `(string)` cast of a float with the default `precision = 14`:
    /// 14 significant digits, trailing zeros dropped, exponent form (`1.0E+25`) for very
    /// large or small values.
    pub fn to_php_float_string(&self) -> String {
        const PRECISION: usize = 14;
        if self.is_zero() {
            return "0".into();
        }
        let mut digits = self.digits.clone();
        let mut exponent = self.exponent;
        if digits.len() > PRECISION {
            let cut = len(&digits) - len_of(PRECISION);
            digits = self.rounded_integer(-cut);
            exponent += cut;
        }
        while digits.ends_with('0') {
            digits.pop();
            exponent += 1;
        }
        let sign = if self.negative { "-" } else { "" };
        // Position of the leading digit: value = d.ddd × 10^lead.
        let lead = exponent + len(&digits) - 1;
        if lead < -4 || lead >= len_of(PRECISION) {
            let (first, rest) = digits.split_at(1);
            let rest = if rest.is_empty() { "0" } else { rest };
            let exp_sign = if lead < 0 { '-' } else { '+' };
            return format!("{sign}{first}.{rest}E{exp_sign}{}", lead.abs());
        }
        if exponent >= 0 {
            let zeros = usize::try_from(exponent).unwrap_or(0);
            return format!("{sign}{digits}{}", "0".repeat(zeros));
        }
        let frac_len = usize::try_from(-exponent).unwrap_or(0);
        if frac_len >= digits.len() {
            let zeros = frac_len - digits.len();
            format!("{sign}0.{}{digits}", "0".repeat(zeros))
        } else {
            let (int_part, frac_part) = digits.split_at(digits.len() - frac_len);
            format!("{sign}{int_part}.{frac_part}")
        }
    }
}

impl fmt::Display for ExactDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.negative { "-" } else { "" };
        let digits = if self.digits.is_empty() {
            "0"
        } else {
            &self.digits
        };
        write!(f, "{sign}{digits}e{}", self.exponent)
    }
}

/// The length of a digit string as `i64`.
fn len(digits: &str) -> i64 {
    len_of(digits.len())
}

/// A count as `i64`.
fn len_of(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Adds one to a string of decimal digits.
fn increment(digits: &str) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    for byte in bytes.iter_mut().rev() {
        if *byte == b'9' {
            *byte = b'0';
        } else {
            *byte += 1;
            return String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    format!("1{}", String::from_utf8_lossy(&bytes))
}

/// Renders a JSON number literal the way PHP's `(string)` cast does after
/// `json_decode($json, true)`: integer literals that fit `i64` stay integers, everything
/// else is a float formatted by [`ExactDecimal::to_php_float_string`].
pub fn php_string(literal: &str) -> Result<String, NumberError> {
    let decimal = ExactDecimal::parse(literal)?;
    let is_integer_literal = !literal.contains(['.', 'e', 'E']);
    if is_integer_literal && let Ok(value) = literal.parse::<i64>() {
        return Ok(value.to_string());
    }
    Ok(decimal.to_php_float_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> ExactDecimal {
        ExactDecimal::parse(s).unwrap()
    }

    #[test]
    fn equal_values_compare_equal() {
        assert_eq!(dec("10"), dec("10.00"));
        assert_eq!(dec("1e1"), dec("10.0"));
        assert_eq!(dec("-0.0"), dec("0"));
        assert_ne!(dec("10.25"), dec("10.250001"));
        assert_ne!(dec("-1"), dec("1"));
    }

    #[test]
    fn rejects_non_literals() {
        for bad in ["", "-", "1.", ".5", "1e", "abc", "1e99999999", "0x10"] {
            assert!(ExactDecimal::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fixed_two_places() {
        let cases = [
            ("1775", "1775.00"),
            ("1775.0", "1775.00"),
            ("12.5", "12.50"),
            ("0.5", "0.50"),
            ("145.25", "145.25"),
            ("0.005", "0.01"),
            ("0.004", "0.00"),
            ("9.995", "10.00"),
            ("-1.5", "-1.50"),
            ("-0.001", "0.00"),
            ("0", "0.00"),
            ("1e2", "100.00"),
        ];
        for (input, want) in cases {
            assert_eq!(dec(input).to_fixed(2), want, "{input}");
        }
        assert_eq!(dec("2.5").to_fixed(0), "3");
    }

    #[test]
    fn php_strings() {
        let cases = [
            ("10", "10"),
            ("10.25", "10.25"),
            ("10.00", "10"),
            ("10.0", "10"),
            ("9.00", "9"),
            ("2.5", "2.5"),
            ("-0", "0"),
            ("-3", "-3"),
            ("0.0001", "0.0001"),
            ("0.00001", "1.0E-5"),
            ("1.5e-7", "1.5E-7"),
            ("1e2", "100"),
            ("1e20", "1.0E+20"),
            ("100000000000000.0", "1.0E+14"),
            ("12345678901234.0", "12345678901234"),
            ("0.123456789012345678", "0.12345678901235"),
            ("99999999999999.9", "1.0E+14"),
            ("9223372036854775808", "9.2233720368548E+18"),
        ];
        for (input, want) in cases {
            assert_eq!(php_string(input).unwrap(), want, "{input}");
        }
    }
}
