//! Reading `Authorization: Bearer <credential>`.

/// The credential of an `Authorization` header value with the `Bearer` scheme, or `None` when
/// the value uses another scheme or carries no credential. The scheme is compared without regard
/// to case (RFC 9110 11.1: `bearer`, `Bearer` and `BEARER` are one scheme), and any run of spaces
/// may follow it.
pub(crate) fn bearer_credential(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim_start().split_once(' ')?;
    let credential = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credential.is_empty()).then_some(credential)
}

#[cfg(test)]
mod tests {
    use super::bearer_credential;

    #[test]
    fn the_scheme_is_case_insensitive() {
        for value in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR   abc  "] {
            assert_eq!(bearer_credential(value), Some("abc"), "{value}");
        }
    }

    #[test]
    fn other_schemes_and_empty_credentials_are_none() {
        for value in [
            "Basic abc",
            "Bearer",
            "Bearer ",
            "Bearerabc",
            "",
            "abc",
            "Token abc",
        ] {
            assert_eq!(bearer_credential(value), None, "{value}");
        }
    }
}
