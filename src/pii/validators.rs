//! Validators of the pattern detectors: check digits (Luhn, ISO 13616 mod-97) and digit helpers.

pub fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// Luhn checksum over digits.
pub fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    !d.is_empty() && sum.is_multiple_of(10)
}

/// IBAN length per country (the common ones; others: 15-34 accepted).
pub fn iban_length(cc: &str) -> Option<usize> {
    Some(match cc {
        "DE" => 22,
        "GB" => 22,
        "FR" => 27,
        "NL" => 18,
        "ES" => 24,
        "IT" => 27,
        "BE" => 16,
        "AT" => 20,
        "CH" => 21,
        "IE" => 22,
        "PT" => 25,
        "PL" => 28,
        "SE" => 24,
        "DK" => 18,
        "FI" => 18,
        "NO" => 15,
        "LU" => 20,
        _ => return None,
    })
}

/// IBAN mod-97 check (spaces removed, upper case).
pub fn iban_valid(compact: &str) -> bool {
    let b = compact.as_bytes();
    if b.len() < 15
        || b.len() > 34
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    if let Some(len) = iban_length(&compact[..2])
        && len != b.len()
    {
        return false;
    }
    let mut rem = 0u32;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}
