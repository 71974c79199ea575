//! The few DER structures `keys` reads, by hand and bounded: the validity of an X.509
//! certificate and the modulus size or curve of a SubjectPublicKeyInfo. Anything that
//! does not parse is `None`, never a panic.

/// One DER element: its tag, and where its content starts and ends in the input.
#[derive(Debug, Clone, Copy)]
struct Tlv {
    tag: u8,
    head: usize,
    start: usize,
    end: usize,
}

/// The element at `at` in `b`.
fn tlv(b: &[u8], at: usize) -> Option<Tlv> {
    let tag = *b.get(at)?;
    let first = *b.get(at + 1)?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let len = b
            .get(at + 2..at + 2 + n)?
            .iter()
            .fold(0usize, |acc, x| (acc << 8) | *x as usize);
        (len, 2 + n)
    };
    let start = at.checked_add(header)?;
    let end = start.checked_add(len)?;
    (end <= b.len()).then_some(Tlv {
        tag,
        head: at,
        start,
        end,
    })
}

/// The elements inside a constructed element.
fn children(b: &[u8], parent: Tlv) -> Vec<Tlv> {
    let mut out = Vec::new();
    let mut at = parent.start;
    while at < parent.end && out.len() < 64 {
        match tlv(b, at) {
            Some(t) if t.end <= parent.end => {
                at = t.end;
                out.push(t);
            }
            _ => break,
        }
    }
    out
}

/// An X.509 certificate's validity (notBefore, notAfter) as unix seconds.
pub fn certificate_validity(der: &[u8]) -> Option<(i64, i64)> {
    let cert = tlv(der, 0).filter(|t| t.tag == 0x30)?;
    let tbs = *children(der, cert).first().filter(|t| t.tag == 0x30)?;
    let fields = children(der, tbs);
    // [0] version is optional (absent in a v1 certificate, as Keycloak generates).
    let skip = usize::from(fields.first()?.tag == 0xa0);
    let validity = *fields.get(skip + 3).filter(|t| t.tag == 0x30)?;
    let times = children(der, validity);
    let time = |t: &Tlv| parse_time(t.tag, der.get(t.start..t.end)?);
    Some((time(times.first()?)?, time(times.get(1)?)?))
}

/// UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn parse_time(tag: u8, text: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(text).ok()?.strip_suffix('Z')?;
    let full = match tag {
        0x17 => {
            let yy: i32 = s.get(..2)?.parse().ok()?;
            let century = if yy >= 50 { "19" } else { "20" };
            format!("{century}{s}")
        }
        0x18 => s.to_string(),
        _ => return None,
    };
    chrono::NaiveDateTime::parse_from_str(full.get(..14)?, "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

/// The public key inside a certificate (its SubjectPublicKeyInfo), as DER.
pub fn certificate_spki(der: &[u8]) -> Option<&[u8]> {
    let cert = tlv(der, 0).filter(|t| t.tag == 0x30)?;
    let tbs = *children(der, cert).first()?;
    let fields = children(der, tbs);
    let skip = usize::from(fields.first()?.tag == 0xa0);
    let spki = fields.get(skip + 5).filter(|t| t.tag == 0x30)?;
    der.get(spki.head..spki.end)
}

/// What a SubjectPublicKeyInfo holds: RSA with its modulus size, or an EC curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKeyKind {
    Rsa { bits: usize },
    Ec { curve: &'static str },
    Ed25519,
    Other,
}

const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const EC_OID: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const ED25519_OID: &[u8] = &[0x2b, 0x65, 0x70];
const CURVES: &[(&[u8], &str)] = &[
    (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07], "P-256"),
    (&[0x2b, 0x81, 0x04, 0x00, 0x22], "P-384"),
    (&[0x2b, 0x81, 0x04, 0x00, 0x23], "P-521"),
];

/// Read a SubjectPublicKeyInfo.
pub fn spki_kind(der: &[u8]) -> Option<PublicKeyKind> {
    let spki = tlv(der, 0).filter(|t| t.tag == 0x30)?;
    let parts = children(der, spki);
    let alg = children(der, *parts.first()?);
    let oid = alg.first().filter(|t| t.tag == 0x06)?;
    let oid = der.get(oid.start..oid.end)?;
    let key = parts.get(1).filter(|t| t.tag == 0x03)?;
    if oid == RSA_OID {
        // BIT STRING: one byte of unused bits, then RSAPublicKey SEQUENCE { n, e }.
        let inner = der.get(key.start + 1..key.end)?;
        let seq = tlv(inner, 0).filter(|t| t.tag == 0x30)?;
        let n = *children(inner, seq).first().filter(|t| t.tag == 0x02)?;
        return Some(PublicKeyKind::Rsa {
            bits: bit_length(inner.get(n.start..n.end)?),
        });
    }
    if oid == EC_OID {
        let param = alg.get(1).and_then(|p| der.get(p.start..p.end));
        let curve = CURVES
            .iter()
            .find(|(o, _)| Some(*o) == param)
            .map(|(_, c)| *c)
            .unwrap_or("unknown curve");
        return Some(PublicKeyKind::Ec { curve });
    }
    if oid == ED25519_OID {
        return Some(PublicKeyKind::Ed25519);
    }
    Some(PublicKeyKind::Other)
}

/// Bits of a big-endian unsigned integer (leading zeros left out).
pub fn bit_length(n: &[u8]) -> usize {
    let n: Vec<u8> = n.iter().copied().skip_while(|b| *b == 0).collect();
    match n.first() {
        None => 0,
        Some(b) => (n.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_bytes_never_panic() {
        for b in [
            &[][..],
            &[0x30],
            &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            &[0x30, 0x03, 0x30, 0x01],
        ] {
            assert!(certificate_validity(b).is_none());
            assert!(spki_kind(b).is_none());
            assert!(certificate_spki(b).is_none());
        }
    }

    #[test]
    fn times_read_both_forms() {
        assert_eq!(parse_time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(parse_time(0x18, b"19700101000100Z"), Some(60));
        assert_eq!(parse_time(0x17, b"2001"), None);
    }
}
