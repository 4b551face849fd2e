//! A small byte mutator in the manner of libFuzzer's, driven by a list of operations so a
//! property test can generate (and shrink) them: each operation is `(kind, position, operand)`
//! and every value of the three is valid.

/// Fragments worth splicing into JSON, form and number parsers: structure, escapes, numbers
/// at the edges of `Decimal` and `i64`, invalid UTF-8, and the field names that matter.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"-",
    b".",
    b"e",
    b"1e999999999",
    b"-0.00",
    b"79228162514264337593543950336",
    b"0.0000000000000000000000000001",
    b"9223372036854775808",
    b"\\u0000",
    b"\\ud800",
    b"\xff",
    b"\xc3",
    b"&",
    b"=",
    b"%",
    b"%ZZ",
    b"\"amount\"",
    b"\"result\"",
    b"\"signature\"",
    b"{\"a\":",
    b"[[[[[[[[",
];

/// How many kinds of operation [`apply`] knows; `kind` is taken modulo this.
pub const KINDS: u8 = 7;

/// `seed` with `ops` applied in order. Positions are taken modulo the current length (plus
/// one where appending makes sense), so any operation list applies to any seed.
pub fn apply(seed: &[u8], ops: &[(u8, u32, u32)]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(kind, position, operand) in ops {
        mutate(&mut bytes, kind, position, operand);
    }
    bytes
}

fn index(position: u32, len: usize) -> usize {
    usize::try_from(position)
        .ok()
        .and_then(|p| p.checked_rem(len))
        .unwrap_or(0)
}

fn mutate(bytes: &mut Vec<u8>, kind: u8, position: u32, operand: u32) {
    let len = bytes.len();
    let at = index(position, len.saturating_add(1));
    let low_byte = operand.to_le_bytes().first().copied().unwrap_or(0);
    match kind.checked_rem(KINDS).unwrap_or(0) {
        0 => {
            if let Some(byte) = bytes.get_mut(at) {
                *byte ^= 1 << (operand & 7);
            }
        }
        1 => {
            if let Some(byte) = bytes.get_mut(at) {
                *byte = low_byte;
            }
        }
        2 => bytes.insert(at, low_byte),
        3 => {
            let end = at.saturating_add(index(operand, 16)).min(len);
            bytes.drain(at..end);
        }
        4 => {
            let end = at.saturating_add(index(operand, 64)).min(len);
            let copy: Vec<u8> = bytes.get(at..end).map(<[u8]>::to_vec).unwrap_or_default();
            let target = index(operand >> 8, len.saturating_add(1));
            bytes.splice(target..target, copy);
        }
        5 => {
            let token = TOKENS
                .get(index(operand, TOKENS.len()))
                .copied()
                .unwrap_or(b"");
            bytes.splice(at..at, token.iter().copied());
        }
        _ => bytes.truncate(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_applies_to_any_seed() {
        for seed in [&b""[..], b"x", b"{\"a\":1}"] {
            for kind in 0..KINDS {
                for position in [0, 1, 7, u32::MAX] {
                    for operand in [0, 3, 255, u32::MAX] {
                        let _ = apply(seed, &[(kind, position, operand)]);
                    }
                }
            }
        }
    }

    #[test]
    fn operations_do_what_they_say() {
        assert_eq!(apply(b"abc", &[(1, 1, u32::from(b'X'))]), b"aXc");
        assert_eq!(apply(b"abc", &[(2, 3, u32::from(b'!'))]), b"abc!");
        assert_eq!(apply(b"abc", &[(3, 0, 2)]), b"c");
        assert_eq!(apply(b"abc", &[(6, 1, 0)]), b"a");
        assert_eq!(apply(b"ab", &[(5, 2, 2)]), b"ab{");
    }
}
